// The names bluetoothd uses on D-Bus (BlueZ 5 doc/*-api.txt): bus name, object paths and
// error names, defined once for every kvittens component that speaks org.bluez.
#pragma once

#include <string>
#include <string_view>

namespace kvittens::bluez {

inline constexpr const char* kService = "org.bluez";
inline constexpr const char* kRootPath = "/";
inline constexpr const char* kBluezPath = "/org/bluez";

inline constexpr const char* kAdapterInterface = "org.bluez.Adapter1";
inline constexpr const char* kDeviceInterface = "org.bluez.Device1";
inline constexpr const char* kGattServiceInterface = "org.bluez.GattService1";
inline constexpr const char* kGattCharacteristicInterface = "org.bluez.GattCharacteristic1";

// org.bluez.Error.* as returned by bluetoothd.
namespace error {
inline constexpr const char* kFailed = "org.bluez.Error.Failed";
inline constexpr const char* kInProgress = "org.bluez.Error.InProgress";
inline constexpr const char* kNotConnected = "org.bluez.Error.NotConnected";
inline constexpr const char* kAlreadyConnected = "org.bluez.Error.AlreadyConnected";
inline constexpr const char* kNotPermitted = "org.bluez.Error.NotPermitted";
inline constexpr const char* kNotAuthorized = "org.bluez.Error.NotAuthorized";
inline constexpr const char* kNotSupported = "org.bluez.Error.NotSupported";
inline constexpr const char* kNotReady = "org.bluez.Error.NotReady";
inline constexpr const char* kDoesNotExist = "org.bluez.Error.DoesNotExist";
inline constexpr const char* kInvalidArguments = "org.bluez.Error.InvalidArguments";
inline constexpr const char* kInvalidOffset = "org.bluez.Error.InvalidOffset";
inline constexpr const char* kInvalidValueLength = "org.bluez.Error.InvalidValueLength";
}  // namespace error

// "/org/bluez/hci0/dev_AA_BB_CC_DD_EE_01" for adapter "hci0" and "AA:BB:CC:DD:EE:01".
inline std::string device_path(std::string_view adapter, std::string_view address) {
  std::string path = std::string(kBluezPath) + "/" + std::string(adapter) + "/dev_";
  for (char c : address) path.push_back(c == ':' ? '_' : c);
  return path;
}

}  // namespace kvittens::bluez
