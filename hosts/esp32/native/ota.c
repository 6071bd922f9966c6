/*
 * A/B update state of the running image, bound to JavaScript through the manifest's "ffi"
 * (hosts/esp32/native.ts; hosts/esp32/firmware-slots.ts is the FirmwareSlotsPort). Moddable
 * exposes the OTA partitions as flash ("running", "nextota") but none of ESP-IDF's rollback
 * calls; each function here is one esp_ota_ops.h call. Needs
 * CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE (manifests/sdkconfig/sdkconfig.defaults).
 *
 * Return values are esp_err_t (0 = ESP_OK) unless stated.
 */
#include <stddef.h>
#include <stdint.h>

#include "esp_partition.h"
#include "app_update/include/esp_ota_ops.h"

/* Slot of the running image (0 for ota_0, 1 for ota_1 ...), -1 when it is not an OTA slot. */
int32_t sn_ota_running_slot(void)
{
	const esp_partition_t *running = esp_ota_get_running_partition();
	if (!running || (ESP_PARTITION_TYPE_APP != running->type))
		return -1;
	if ((running->subtype < ESP_PARTITION_SUBTYPE_APP_OTA_MIN) || (running->subtype > ESP_PARTITION_SUBTYPE_APP_OTA_MAX))
		return -1;
	return (int32_t)(running->subtype - ESP_PARTITION_SUBTYPE_APP_OTA_MIN);
}

/* Label of the running partition ("ota_0" ...); a static string. */
const char *sn_ota_running_label(void)
{
	const esp_partition_t *running = esp_ota_get_running_partition();
	return running ? running->label : "";
}

/*
 * esp_ota_img_states_t of the running image: 0 new, 1 pending verify, 2 valid, 3 invalid,
 * 4 aborted; -1 undefined (0xFFFFFFFF, rollback off or blank otadata); -2 no otadata entry
 * selects it (ESP_ERR_NOT_FOUND) or it is not an OTA slot.
 */
int32_t sn_ota_running_state(void)
{
	esp_ota_img_states_t state;
	if (ESP_OK != esp_ota_get_state_partition(esp_ota_get_running_partition(), &state))
		return -2;
	return (ESP_OTA_IMG_UNDEFINED == state) ? -1 : (int32_t)state;
}

/*
 * Select the next update partition (the slot that is not running) for the next boot, state NEW.
 * ESP-IDF verifies the image there first (header, segments, appended SHA-256) and refuses a
 * bad one with ESP_ERR_OTA_VALIDATE_FAILED.
 */
int32_t sn_ota_activate_next(void)
{
	const esp_partition_t *next = esp_ota_get_next_update_partition(NULL);
	if (!next)
		return ESP_ERR_NOT_FOUND;
	return esp_ota_set_boot_partition(next);
}

/* PENDING_VERIFY -> VALID for the running image (with anti-rollback it also burns the eFuse). */
int32_t sn_ota_mark_valid(void)
{
	return esp_ota_mark_app_valid_cancel_rollback();
}

/*
 * Marks the running image INVALID so the next boot returns to the other slot; does not restart
 * (the caller saves its state, then restarts). ESP_ERR_OTA_ROLLBACK_FAILED: no other bootable
 * image, nothing written.
 */
int32_t sn_ota_mark_invalid(void)
{
	return esp_ota_mark_app_invalid_rollback();
}

/* 1 when another slot holds a bootable image to return to, else 0. */
uint32_t sn_ota_rollback_possible(void)
{
	return esp_ota_check_rollback_is_possible() ? 1 : 0;
}
