/*
 * Retained record: a buffer in RTC memory that survives deep sleep (and software, panic and
 * watchdog resets) but not power loss. Bound to JavaScript through the manifest's "ffi"
 * (hosts/esp32/native.ts wraps the calls; hosts/esp32/retained.ts is the RetainedPort).
 *
 * RTC_NOINIT_ATTR memory is never initialised by the bootloader, so after power-on it holds
 * whatever the cells powered up with. A header (magic, length, CRC-32 of length and payload)
 * tells a record from that garbage; a power-on or brown-out reset discards the record outright.
 *
 * Keep this file free of XS headers: it is plain C (test/esp32/native-retained.test.ts
 * compiles it on the host with stub ESP-IDF headers).
 */
#include <stdint.h>
#include <string.h>

#include "esp_attr.h"
#include "esp_system.h"

#ifndef SN_RETAINED_CAPACITY
#define SN_RETAINED_CAPACITY 2048
#endif

#define SN_RETAINED_MAGIC 0x534e5254u /* "SNRT" */

/* Keeps the compiler from moving the payload copy across the magic stores. */
#define SN_BARRIER() __asm__ __volatile__("" ::: "memory")

typedef struct {
	uint32_t magic;
	uint32_t length;
	uint32_t crc;
	uint8_t payload[SN_RETAINED_CAPACITY];
} sn_retained_t;

RTC_NOINIT_ATTR static sn_retained_t sn_retained;

/* Ordinary .bss: zero at every boot, so the reset reason is looked at once per boot. */
static uint8_t sn_boot_checked;

/* CRC-32 (IEEE 802.3, reflected, as zlib): small and table-free, the record is tiny. */
static uint32_t sn_crc32(uint32_t crc, const uint8_t *bytes, uint32_t length)
{
	crc = ~crc;
	while (length--) {
		crc ^= *bytes++;
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

static uint32_t sn_record_crc(uint32_t length, const uint8_t *payload)
{
	uint8_t header[4] = { (uint8_t)length, (uint8_t)(length >> 8), (uint8_t)(length >> 16), (uint8_t)(length >> 24) };
	return sn_crc32(sn_crc32(0, header, 4), payload, length);
}

uint32_t sn_retained_capacity(void)
{
	return SN_RETAINED_CAPACITY;
}

static void sn_retained_forget(void)
{
	sn_retained.magic = 0;
	sn_retained.length = 0;
	sn_retained.crc = 0;
}

/* After power-on or brown-out the RTC cells hold noise, however plausible: drop it once. */
static void sn_boot_check(void)
{
	if (sn_boot_checked)
		return;
	sn_boot_checked = 1;
	esp_reset_reason_t reason = esp_reset_reason();
	if ((ESP_RST_POWERON == reason) || (ESP_RST_BROWNOUT == reason))
		sn_retained_forget();
}

void sn_retained_clear(void)
{
	sn_boot_check();
	sn_retained_forget();
}

static int sn_retained_valid(void)
{
	if (SN_RETAINED_MAGIC != sn_retained.magic)
		return 0;
	if (sn_retained.length > SN_RETAINED_CAPACITY)
		return 0;
	return sn_record_crc(sn_retained.length, sn_retained.payload) == sn_retained.crc;
}

/*
 * Copies the record into buffer (at most length bytes). Returns the record's length (which may
 * be 0), -1 when there is no record, -2 when the buffer is too small (nothing copied).
 */
int32_t sn_retained_read(uint8_t *buffer, uint32_t length)
{
	sn_boot_check();
	if (!sn_retained_valid()) {
		sn_retained_forget();
		return -1;
	}
	if (sn_retained.length > length)
		return -2;
	memcpy(buffer, sn_retained.payload, sn_retained.length);
	return (int32_t)sn_retained.length;
}

/* Replaces the record. Returns 0, or -1 when it exceeds the capacity (the old record stays). */
int32_t sn_retained_write(uint8_t *buffer, uint32_t length)
{
	sn_boot_check();
	if (length > SN_RETAINED_CAPACITY)
		return -1;
	/* Invalidate first: a reset in the middle of the copy leaves no half-new record behind. */
	sn_retained.magic = 0;
	SN_BARRIER();
	memcpy(sn_retained.payload, buffer, length);
	sn_retained.length = length;
	sn_retained.crc = sn_record_crc(length, sn_retained.payload);
	SN_BARRIER();
	sn_retained.magic = SN_RETAINED_MAGIC;
	return 0;
}
