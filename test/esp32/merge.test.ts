import { describe, expect, it } from 'vitest';
import { mergeImages } from '../../tools/esp32/merge.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('mergeImages', () => {
  it('places each part at its offset and fills the gaps with 0xFF', () => {
    const image = mergeImages([
      { offset: 0x8, data: bytes(3, 4) },
      { offset: 0x2, data: bytes(1, 2) },
    ]);
    expect([...image]).toEqual([0xff, 0xff, 1, 2, 0xff, 0xff, 0xff, 0xff, 3, 4]);
  });

  it('starts at the base offset', () => {
    const image = mergeImages([{ offset: 0x1000, data: bytes(9) }], { base: 0x1000 });
    expect([...image]).toEqual([9]);
  });

  it('keeps the 0x1000 gap before an ESP32 bootloader when the image starts at 0x0', () => {
    const image = mergeImages([{ offset: 0x1000, data: bytes(0xe9) }, { offset: 0x8000, data: bytes(0xaa, 0x50) }]);
    expect(image.length).toBe(0x8002);
    expect(image.subarray(0, 0x1000).every((b) => b === 0xff)).toBe(true);
    expect(image[0x1000]).toBe(0xe9);
    expect(image[0x8000]).toBe(0xaa);
  });

  it('pads to a requested size', () => {
    const image = mergeImages([{ offset: 0, data: bytes(1) }], { padTo: 4 });
    expect([...image]).toEqual([1, 0xff, 0xff, 0xff]);
  });

  it('refuses padding smaller than the image', () => {
    expect(() => mergeImages([{ offset: 0, data: bytes(1, 2, 3) }], { padTo: 2 })).toThrow(/more than --pad-to/);
  });

  it('refuses overlapping parts, naming them', () => {
    expect(() => mergeImages([
      { name: 'bootloader', offset: 0, data: new Uint8Array(0x9000) },
      { name: 'partition table', offset: 0x8000, data: bytes(1) },
    ])).toThrow(/partition table overlaps bootloader/);
  });

  it('refuses a part below the base', () => {
    expect(() => mergeImages([{ offset: 0x10, data: bytes(1) }], { base: 0x1000 })).toThrow(/below the image base/);
  });

  it('lets parts touch end to start', () => {
    expect([...mergeImages([{ offset: 0, data: bytes(1, 2) }, { offset: 2, data: bytes(3) }])]).toEqual([1, 2, 3]);
  });
});
