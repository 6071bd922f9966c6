/*
 * The two Wi-Fi calls Moddable's embedded:network/interface/wifi lacks, bound through the
 * manifest's "ffi" (hosts/esp32/native.ts; hosts/esp32/wifi.ts drives them). Both act on the
 * station interface Moddable's WiFi object set up (create one first); its connection and
 * address getters then report the result as for its own connect().
 *
 * Return values are esp_err_t (0 = ESP_OK).
 */
#include <stdint.h>
#include <string.h>

#include "esp_netif.h"
#include "esp_wifi.h"

/*
 * Fast reconnect: join the access point last used, by BSSID on its channel, without the
 * all-channel scan (bssid: 6 bytes). About a second saved on every wake that uses the radio.
 */
int32_t sn_wifi_connect_bssid(char *ssid, char *password, uint8_t *bssid, uint32_t channel)
{
	wifi_config_t config;
	memset(&config, 0, sizeof(config));
	size_t ssidLength = strlen(ssid), passwordLength = strlen(password);
	if ((0 == ssidLength) || (ssidLength > sizeof(config.sta.ssid)) || (passwordLength > sizeof(config.sta.password)))
		return ESP_ERR_INVALID_ARG;
	if ((channel < 1) || (channel > 14))
		return ESP_ERR_INVALID_ARG;
	memcpy(config.sta.ssid, ssid, ssidLength);
	memcpy(config.sta.password, password, passwordLength);
	memcpy(config.sta.bssid, bssid, 6);
	config.sta.bssid_set = 1;
	config.sta.channel = (uint8_t)channel;
	config.sta.scan_method = WIFI_FAST_SCAN;
	esp_err_t err = esp_wifi_set_config(WIFI_IF_STA, &config);
	if (ESP_OK != err)
		return err;
	return esp_wifi_connect();
}

/* The access point we are associated with: out[0..5] BSSID, out[6] channel, out[7] RSSI (int8). */
int32_t sn_wifi_ap_info(uint8_t *out)
{
	wifi_ap_record_t info;
	esp_err_t err = esp_wifi_sta_get_ap_info(&info);
	if (ESP_OK != err)
		return err;
	memcpy(out, info.bssid, 6);
	out[6] = info.primary;
	out[7] = (uint8_t)info.rssi;
	return ESP_OK;
}

/*
 * Static IPv4 configuration instead of DHCP (saves the DHCP exchange on each wake). Empty
 * strings leave DHCP on. dns may be empty.
 */
int32_t sn_wifi_static_ip(char *address, char *netmask, char *gateway, char *dns)
{
	esp_netif_t *sta = esp_netif_get_handle_from_ifkey("WIFI_STA_DEF");
	if (!sta)
		return ESP_ERR_INVALID_STATE;
	if (!address[0])
		return ESP_OK;
	esp_netif_ip_info_t info;
	memset(&info, 0, sizeof(info));
	if ((ESP_OK != esp_netif_str_to_ip4(address, &info.ip)) || (ESP_OK != esp_netif_str_to_ip4(netmask, &info.netmask)) ||
		(ESP_OK != esp_netif_str_to_ip4(gateway, &info.gw)))
		return ESP_ERR_INVALID_ARG;
	esp_err_t err = esp_netif_dhcpc_stop(sta);
	if ((ESP_OK != err) && (ESP_ERR_ESP_NETIF_DHCP_ALREADY_STOPPED != err))
		return err;
	err = esp_netif_set_ip_info(sta, &info);
	if (ESP_OK != err)
		return err;
	if (dns[0]) {
		esp_netif_dns_info_t server;
		memset(&server, 0, sizeof(server));
		server.ip.type = ESP_IPADDR_TYPE_V4;
		if (ESP_OK != esp_netif_str_to_ip4(dns, &server.ip.u_addr.ip4))
			return ESP_ERR_INVALID_ARG;
		err = esp_netif_set_dns_info(sta, ESP_NETIF_DNS_MAIN, &server);
	}
	return err;
}
