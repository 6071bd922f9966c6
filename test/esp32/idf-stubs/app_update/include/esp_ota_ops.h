#pragma once
#include <stdbool.h>
#include "esp_err.h"
#include "esp_partition.h"
typedef enum {
	ESP_OTA_IMG_NEW = 0x0, ESP_OTA_IMG_PENDING_VERIFY = 0x1, ESP_OTA_IMG_VALID = 0x2, ESP_OTA_IMG_INVALID = 0x3,
	ESP_OTA_IMG_ABORTED = 0x4, ESP_OTA_IMG_UNDEFINED = 0xFFFFFFFF,
} esp_ota_img_states_t;
const esp_partition_t *esp_ota_get_running_partition(void);
const esp_partition_t *esp_ota_get_next_update_partition(const esp_partition_t *start_from);
esp_err_t esp_ota_get_state_partition(const esp_partition_t *partition, esp_ota_img_states_t *ota_state);
esp_err_t esp_ota_set_boot_partition(const esp_partition_t *partition);
esp_err_t esp_ota_mark_app_valid_cancel_rollback(void);
esp_err_t esp_ota_mark_app_invalid_rollback(void);
bool esp_ota_check_rollback_is_possible(void);
