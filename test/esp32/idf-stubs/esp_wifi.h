#pragma once
#include <stdint.h>
#include "esp_err.h"
typedef enum { WIFI_IF_STA = 0 } wifi_interface_t;
typedef enum { WIFI_FAST_SCAN = 0, WIFI_ALL_CHANNEL_SCAN } wifi_scan_method_t;
typedef struct {
	uint8_t ssid[32];
	uint8_t password[64];
	wifi_scan_method_t scan_method;
	uint8_t bssid_set;
	uint8_t bssid[6];
	uint8_t channel;
} wifi_sta_config_t;
typedef union { wifi_sta_config_t sta; } wifi_config_t;
typedef struct {
	uint8_t bssid[6];
	uint8_t ssid[33];
	uint8_t primary;
	int8_t rssi;
} wifi_ap_record_t;
esp_err_t esp_wifi_set_config(wifi_interface_t interface, wifi_config_t *conf);
esp_err_t esp_wifi_connect(void);
esp_err_t esp_wifi_stop(void);
esp_err_t esp_wifi_sta_get_ap_info(wifi_ap_record_t *ap_info);
