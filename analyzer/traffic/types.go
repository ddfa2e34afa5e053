package traffic

// Data item types. A known value declared under extra carries its own label as type.
const (
	TypeAdvertisingID = "advertising-id"
	// TypeNoAdvertisingID is the all-zero IDFA: what iOS returns without ATT authorisation. It is
	// reported so a reader sees the field was sent, but it identifies no one.
	TypeNoAdvertisingID = "no-advertising-id"
	TypeIDFV            = "idfv"
	TypeDeviceID        = "device-id"
	TypeUserID          = "user-id"
	TypePushToken       = "push-token"
	TypeAuthToken       = "auth-token"
	TypeEmail           = "email"
	TypePhone           = "phone"
	TypeName            = "name"
	TypeLatitude        = "latitude"
	TypeLongitude       = "longitude"
	TypeIPAddress       = "ip-address"
	TypeCountry         = "country"
	TypeDeviceName      = "device-name"
	TypeDeviceModel     = "device-model"
	TypeOSName          = "os-name"
	TypeOSVersion       = "os-version"
	TypeLocale          = "locale"
	TypeTimeZone        = "time-zone"
	TypeCarrier         = "carrier"
	TypeScreen          = "screen"
	TypeCPUCores        = "cpu-cores"
	TypeDiskSpace       = "disk-space"
	TypeUserData        = "user-data"
	TypeEvent           = "event"
	TypeAppID           = "app-id"
	TypeAppVersion      = "app-version"
	// TypeTrackingFlag is a consent or tracking switch the SDK reports (advertiser_tracking_enabled).
	TypeTrackingFlag = "tracking-flag"
	// TypeServerSetting is a setting the server sent back that changes what the SDK collects
	// (Facebook's auto_log_app_events_enabled override).
	TypeServerSetting = "server-setting"
)

// Privacy manifest data types (privacy-manifest.md §2).
const (
	ManifestDeviceID           = "NSPrivacyCollectedDataTypeDeviceID"
	ManifestUserID             = "NSPrivacyCollectedDataTypeUserID"
	ManifestEmailAddress       = "NSPrivacyCollectedDataTypeEmailAddress"
	ManifestPhoneNumber        = "NSPrivacyCollectedDataTypePhoneNumber"
	ManifestName               = "NSPrivacyCollectedDataTypeName"
	ManifestOtherContactInfo   = "NSPrivacyCollectedDataTypeOtherUserContactInfo"
	ManifestPreciseLocation    = "NSPrivacyCollectedDataTypePreciseLocation"
	ManifestCoarseLocation     = "NSPrivacyCollectedDataTypeCoarseLocation"
	ManifestProductInteraction = "NSPrivacyCollectedDataTypeProductInteraction"
	ManifestOtherDataTypes     = "NSPrivacyCollectedDataTypeOtherDataTypes"
)

// typeInfo says how a data type maps to the privacy manifest and whether it identifies or
// fingerprints a person or device.
type typeInfo struct {
	manifest string
	personal bool
}

var typeInfos = map[string]typeInfo{
	TypeAdvertisingID:   {ManifestDeviceID, true},
	TypeNoAdvertisingID: {"", false},
	TypeIDFV:            {ManifestDeviceID, true},
	TypeDeviceID:        {ManifestDeviceID, true},
	TypePushToken:       {ManifestDeviceID, true},
	TypeAuthToken:       {ManifestDeviceID, true},
	TypeUserID:          {ManifestUserID, true},
	TypeEmail:           {ManifestEmailAddress, true},
	TypePhone:           {ManifestPhoneNumber, true},
	TypeName:            {ManifestName, true},
	TypeLatitude:        {ManifestPreciseLocation, true},
	TypeLongitude:       {ManifestPreciseLocation, true},
	TypeIPAddress:       {ManifestCoarseLocation, true},
	TypeCountry:         {ManifestCoarseLocation, true},
	TypeDeviceName:      {ManifestOtherDataTypes, true},
	TypeUserData:        {ManifestOtherContactInfo, true},
	// Device characteristics: each alone is weak, together a fingerprint (Zoom 2020).
	TypeDeviceModel:   {ManifestOtherDataTypes, true},
	TypeOSVersion:     {ManifestOtherDataTypes, true},
	TypeLocale:        {ManifestOtherDataTypes, true},
	TypeTimeZone:      {ManifestOtherDataTypes, true},
	TypeCarrier:       {ManifestOtherDataTypes, true},
	TypeScreen:        {ManifestOtherDataTypes, true},
	TypeCPUCores:      {ManifestOtherDataTypes, true},
	TypeDiskSpace:     {ManifestOtherDataTypes, true},
	TypeOSName:        {"", false},
	TypeEvent:         {ManifestProductInteraction, false},
	TypeAppID:         {"", false},
	TypeAppVersion:    {"", false},
	TypeTrackingFlag:  {"", false},
	TypeServerSetting: {"", false},
}

// infoFor returns the manifest type and personal flag of a data type. Labels of the tester's
// extra known values are personal by definition: the tester planted them to be found.
func infoFor(typ string) typeInfo {
	if ti, ok := typeInfos[typ]; ok {
		return ti
	}
	return typeInfo{ManifestOtherDataTypes, true}
}

// maxValueLen bounds DataItem.Value, so one huge field cannot bloat a report.
const maxValueLen = 256
