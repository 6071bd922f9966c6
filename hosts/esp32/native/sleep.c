/*
 * Deep sleep, wake sources, wake cause, reset reason and the hardware random number generator,
 * bound to JavaScript through the manifest's "ffi" (hosts/esp32/native.ts). Moddable's
 * System.deepSleep does nothing on ESP32 and there is no wake-source API, hence this file.
 *
 * Return values are esp_err_t (0 = ESP_OK) as int32_t; JavaScript maps them to FirmwareError.
 */
#include <stdint.h>

#include "esp_idf_version.h"
#include "esp_random.h"
#include "esp_sleep.h"
#include "esp_system.h"
#include "soc/soc_caps.h"
#if SOC_WIFI_SUPPORTED
#include "esp_wifi.h"
#endif

/* Timer wake-up after ms milliseconds (up to 49.7 days; the JS side never asks for more). */
int32_t sn_sleep_wake_timer(uint32_t ms)
{
	return esp_sleep_enable_timer_wakeup((uint64_t)ms * 1000ULL);
}

/*
 * Wake when one RTC-capable pin reaches level (0 or 1). ext0 where the chip has it (ESP32,
 * S2, S3), else ext1 (C6, H2), else the deep-sleep GPIO wake-up (C3: GPIO 0-5). The pin needs
 * an external pull resistor: internal pulls are not held through deep sleep here.
 */
int32_t sn_sleep_wake_pin(uint32_t pin, uint32_t level)
{
	if (pin > 63)
		return ESP_ERR_INVALID_ARG;
	/* Each enable call below refuses a pin that cannot wake the chip (ESP_ERR_INVALID_ARG). */
#if SOC_PM_SUPPORT_EXT0_WAKEUP
	return esp_sleep_enable_ext0_wakeup((gpio_num_t)pin, level ? 1 : 0);
#elif SOC_PM_SUPPORT_EXT1_WAKEUP
	return esp_sleep_enable_ext1_wakeup(1ULL << pin, (esp_sleep_ext1_wakeup_mode_t)(level ? 1 : 0));
#elif SOC_GPIO_SUPPORT_DEEPSLEEP_WAKEUP
	return esp_deep_sleep_enable_gpio_wakeup(1ULL << pin, level ? ESP_GPIO_WAKEUP_GPIO_HIGH : ESP_GPIO_WAKEUP_GPIO_LOW);
#else
	(void)level;
	return ESP_ERR_NOT_SUPPORTED;
#endif
}

/*
 * Wake when pins of a mask (bits 0-31 in low, 32-63 in high) reach level. ext1 mode 1 is "any
 * high"; mode 0 is "any low" except on the original ESP32, where it is "all low".
 */
int32_t sn_sleep_wake_pins(uint32_t low, uint32_t high, uint32_t level)
{
	uint64_t mask = ((uint64_t)high << 32) | low;
	if (!mask)
		return ESP_ERR_INVALID_ARG;
#if SOC_PM_SUPPORT_EXT1_WAKEUP
	return esp_sleep_enable_ext1_wakeup(mask, (esp_sleep_ext1_wakeup_mode_t)(level ? 1 : 0));
#elif SOC_GPIO_SUPPORT_DEEPSLEEP_WAKEUP
	return esp_deep_sleep_enable_gpio_wakeup(mask, level ? ESP_GPIO_WAKEUP_GPIO_HIGH : ESP_GPIO_WAKEUP_GPIO_LOW);
#else
	(void)level;
	return ESP_ERR_NOT_SUPPORTED;
#endif
}

/* Enters deep sleep with the wake sources set so far; never returns. */
void sn_deep_sleep(void)
{
#if SOC_WIFI_SUPPORTED
	/* ESP-IDF asks for the radio to be stopped before sleep; harmless when Wi-Fi never started. */
	esp_wifi_stop();
#endif
	esp_deep_sleep_start();
}

/* What woke the chip, as bits: 1 timer, 2 pin (ext0, ext1 or GPIO), 4 anything else. 0 = not a wake from sleep. */
uint32_t sn_wake_causes(void)
{
	uint32_t out = 0;
#if ESP_IDF_VERSION >= ESP_IDF_VERSION_VAL(6, 0, 0)
	uint32_t causes = esp_sleep_get_wakeup_causes();
#define SN_WOKE_BY(cause) (causes & (1UL << (cause)))
#else
	esp_sleep_wakeup_cause_t cause = esp_sleep_get_wakeup_cause();
	uint32_t causes = (ESP_SLEEP_WAKEUP_UNDEFINED == cause) ? 0 : (1UL << cause);
#define SN_WOKE_BY(c) (causes & (1UL << (c)))
#endif
	if (SN_WOKE_BY(ESP_SLEEP_WAKEUP_TIMER))
		out |= 1;
	if (SN_WOKE_BY(ESP_SLEEP_WAKEUP_EXT0) || SN_WOKE_BY(ESP_SLEEP_WAKEUP_EXT1) || SN_WOKE_BY(ESP_SLEEP_WAKEUP_GPIO))
		out |= 2;
	causes &= ~((1UL << ESP_SLEEP_WAKEUP_UNDEFINED) | (1UL << ESP_SLEEP_WAKEUP_TIMER) | (1UL << ESP_SLEEP_WAKEUP_EXT0) |
		(1UL << ESP_SLEEP_WAKEUP_EXT1) | (1UL << ESP_SLEEP_WAKEUP_GPIO));
	if (causes)
		out |= 4;
#undef SN_WOKE_BY
	return out;
}

/* esp_reset_reason_t as a number; hosts/esp32/power-codes.ts names them. */
int32_t sn_reset_reason(void)
{
	return (int32_t)esp_reset_reason();
}

/* Hardware RNG (true random while the radio runs, pseudo-random otherwise). */
uint32_t sn_random(void)
{
	return esp_random();
}
