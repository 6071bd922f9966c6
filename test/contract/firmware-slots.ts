import { describe, expect, it } from 'vitest';
import { type FirmwareSlotsPort } from '../../firmware/index.js';
import { codeOf } from '../support/errors.js';

/** A device with a valid image in slot 0, and a way to restart it through its bootloader. */
export interface SlotsFixture {
  slots: FirmwareSlotsPort;
  /** Restarts the device (bootloader selection included) and returns the new port. */
  restart(): FirmwareSlotsPort;
}


/** Writes a small recognisable image into the inactive slot. */
function writeImage(slots: FirmwareSlotsPort, fill: number): Uint8Array {
  const size = slots.eraseSize() * 2;
  const image = Uint8Array.from({ length: size }, (_, i) => (i * 13 + fill) & 0xff);
  image[0] = 0xe9; // ESP image magic: the slot is loadable
  slots.eraseInactive(0, size);
  // Out of order, as a resumed download writes.
  slots.writeInactive(slots.eraseSize(), image.subarray(slots.eraseSize()));
  slots.writeInactive(0, image.subarray(0, slots.eraseSize()));
  return image;
}

/** Contract of the FirmwareSlotsPort (firmware/ports/firmware-slots.ts), ESP-IDF semantics. */
export function describeFirmwareSlotsContract(name: string, factory: () => SlotsFixture | Promise<SlotsFixture>): void {
  describe(`FirmwareSlotsPort contract: ${name}`, () => {
    it('starts on slot 0, valid, with no rollback target', async () => {
      const { slots } = await factory();
      expect(slots.running()).toBe(0);
      expect(slots.runningState()).toBe('valid');
      expect(slots.rollbackPossible()).toBe(false);
      expect(slots.slotSize() % slots.eraseSize()).toBe(0);
      expect(codeOf(() => slots.markInvalidAndRollBack())).toBe('ERR_OTA_ROLLBACK_FAILED');
      expect(slots.runningState()).toBe('valid');
    });

    it('writes and reads the inactive slot at offsets', async () => {
      const { slots } = await factory();
      const image = writeImage(slots, 1);
      expect(slots.readInactive(0, image.length)).toEqual(image);
    });

    it('activate: new entry with a larger seq; boot: pending-verify; confirm: valid and kept', async () => {
      const fixture = await factory();
      writeImage(fixture.slots, 2);
      const before = fixture.slots.entry(0)!;
      fixture.slots.activateInactive();
      const entry = fixture.slots.entry(1)!;
      expect(entry.state).toBe('new');
      expect(entry.seq).toBeGreaterThan(before.seq);
      const booted = fixture.restart();
      expect(booted.running()).toBe(1);
      expect(booted.runningState()).toBe('pending-verify');
      expect(codeOf(() => booted.eraseInactive(0, booted.eraseSize()))).toBe('ERR_OTA_STATE');
      expect(booted.rollbackPossible()).toBe(true);
      booted.markValid();
      expect(booted.runningState()).toBe('valid');
      const again = fixture.restart();
      expect(again.running()).toBe(1);
      expect(again.runningState()).toBe('valid');
    });

    it('an unconfirmed restart returns to the previous slot and leaves the new one aborted', async () => {
      const fixture = await factory();
      writeImage(fixture.slots, 3);
      fixture.slots.activateInactive();
      expect(fixture.restart().running()).toBe(1);
      const back = fixture.restart();
      expect(back.running()).toBe(0);
      expect(back.runningState()).toBe('valid');
      expect(back.entry(1)?.state).toBe('aborted');
    });

    it('mark invalid from a pending image rolls back at the next restart', async () => {
      const fixture = await factory();
      writeImage(fixture.slots, 4);
      fixture.slots.activateInactive();
      const pending = fixture.restart();
      pending.markInvalidAndRollBack();
      expect(pending.runningState()).toBe('invalid');
      const back = fixture.restart();
      expect(back.running()).toBe(0);
      expect(back.entry(1)?.state).toBe('invalid');
      // A later update to the same slot works again.
      writeImage(back, 5);
      back.activateInactive();
      expect(back.entry(1)?.state).toBe('new');
      expect(fixture.restart().running()).toBe(1);
    });
  });
}
