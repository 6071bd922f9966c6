/*
 * Runs hosts/esp32/native/retained.c on the host (test/esp32/native.test.ts). The file is
 * included, so this driver can play the RTC memory (garbage at power-on) and the boot (reset
 * reason, the per-boot flag in .bss). Exit status 0 and "ok" lines when every check holds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "esp_system.h"

static esp_reset_reason_t current_reason;
#include "../../../hosts/esp32/native/retained.c"

esp_reset_reason_t esp_reset_reason(void) { return current_reason; }

static int failures;
#define CHECK(what, cond) do { if (cond) printf("ok %s\n", what); else { printf("FAIL %s\n", what); failures++; } } while (0)

static void boot(esp_reset_reason_t reason)
{
	current_reason = reason;
	sn_boot_checked = 0; /* .bss is zero again after any reset */
}

int main(void)
{
	uint8_t out[SN_RETAINED_CAPACITY + 16];
	uint8_t data[SN_RETAINED_CAPACITY + 1];
	for (unsigned i = 0; i < sizeof(data); i++) data[i] = (uint8_t)(i * 7 + 3);

	/* Power-on: the RTC cells hold noise, even noise with our magic. */
	srand(1);
	for (unsigned i = 0; i < sizeof(sn_retained); i++) ((uint8_t *)&sn_retained)[i] = (uint8_t)rand();
	sn_retained.magic = SN_RETAINED_MAGIC;
	boot(ESP_RST_DEEPSLEEP);
	CHECK("garbage with a good magic fails its CRC", sn_retained_read(out, sizeof(out)) == -1);

	boot(ESP_RST_POWERON);
	CHECK("first read after power-on finds nothing", sn_retained_read(out, sizeof(out)) == -1);
	CHECK("write accepted", sn_retained_write(data, 100) == 0);
	CHECK("read back in the same boot", sn_retained_read(out, sizeof(out)) == 100 && memcmp(out, data, 100) == 0);

	boot(ESP_RST_DEEPSLEEP);
	CHECK("kept across deep sleep", sn_retained_read(out, sizeof(out)) == 100 && memcmp(out, data, 100) == 0);
	boot(ESP_RST_SW);
	CHECK("kept across a software restart", sn_retained_read(out, sizeof(out)) == 100);
	boot(ESP_RST_TASK_WDT);
	CHECK("kept across a watchdog reset", sn_retained_read(out, sizeof(out)) == 100);

	sn_retained.payload[42] ^= 0x10;
	CHECK("a flipped bit is caught by the CRC", sn_retained_read(out, sizeof(out)) == -1);

	CHECK("write accepted again", sn_retained_write(data, 64) == 0);
	sn_retained.length = 65;
	CHECK("a changed length is caught", sn_retained_read(out, sizeof(out)) == -1);

	CHECK("write of exactly the capacity", sn_retained_write(data, SN_RETAINED_CAPACITY) == 0);
	CHECK("one byte more is refused", sn_retained_write(data, SN_RETAINED_CAPACITY + 1) == -1);
	CHECK("and the old record stays", sn_retained_read(out, sizeof(out)) == SN_RETAINED_CAPACITY && memcmp(out, data, SN_RETAINED_CAPACITY) == 0);
	CHECK("a short buffer gets -2 and nothing", sn_retained_read(out, 10) == -2);

	CHECK("an empty record is a record", sn_retained_write(data, 0) == 0 && sn_retained_read(out, sizeof(out)) == 0);

	sn_retained_write(data, 10);
	boot(ESP_RST_BROWNOUT);
	CHECK("dropped after a brown-out", sn_retained_read(out, sizeof(out)) == -1);
	sn_retained_write(data, 10);
	boot(ESP_RST_POWERON);
	CHECK("dropped after power-on although intact", sn_retained_read(out, sizeof(out)) == -1);

	sn_retained_write(data, 10);
	sn_retained.magic = 0; /* a reset inside sn_retained_write, after the invalidation */
	boot(ESP_RST_PANIC);
	CHECK("a write cut short leaves no record", sn_retained_read(out, sizeof(out)) == -1);

	sn_retained_write(data, 10);
	sn_retained_clear();
	CHECK("clear", sn_retained_read(out, sizeof(out)) == -1);
	CHECK("capacity", sn_retained_capacity() == SN_RETAINED_CAPACITY);
	return failures == 0 ? 0 : 1;
}
