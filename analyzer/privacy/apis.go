package privacy

// Required-reason API categories, as NSPrivacyAccessedAPIType values.
const (
	CategoryFileTimestamp   = "NSPrivacyAccessedAPICategoryFileTimestamp"
	CategorySystemBootTime  = "NSPrivacyAccessedAPICategorySystemBootTime"
	CategoryDiskSpace       = "NSPrivacyAccessedAPICategoryDiskSpace"
	CategoryActiveKeyboards = "NSPrivacyAccessedAPICategoryActiveKeyboards"
	CategoryUserDefaults    = "NSPrivacyAccessedAPICategoryUserDefaults"
)

// Kinds of API reference, after where in the Mach-O file it shows.
const (
	KindFunction = "function" // an imported C function
	KindData     = "data"     // an imported Foundation data constant
	KindClass    = "class"    // an imported Objective-C class
	KindSelector = "selector" // a referenced Objective-C selector
)

// API is one required-reason API as it appears in a Mach-O file. Swift code compiles to the
// same Foundation symbols and selectors (FileAttributeKey.creationDate is _NSFileCreationDate,
// UserDefaults is the NSUserDefaults class), so one table serves both languages.
type API struct {
	// Name is the exact symbol (with its leading underscore) or selector.
	Name string
	Kind string
	// Categories are usually one; the getattrlist family reads timestamps and disk space alike,
	// and Apple lists it under both.
	Categories []string
}

// APIs is the table of required-reason APIs, after Apple's "Describing use of required reason
// API" page. Names are matched exactly, never as substrings: "_stat" must not match "_statfs"
// or "_objc_stats". The $INODE64 variants are the x86_64 (simulator) spellings of the same
// functions.
var APIs = buildAPIs()

func buildAPIs() []API {
	var out []API
	add := func(kind string, cats []string, names ...string) {
		for _, n := range names {
			out = append(out, API{Name: n, Kind: kind, Categories: cats})
		}
	}
	ts := []string{CategoryFileTimestamp}
	disk := []string{CategoryDiskSpace}
	both := []string{CategoryFileTimestamp, CategoryDiskSpace}

	add(KindFunction, ts, "_getattrlistbulk", "_stat", "_fstat", "_fstatat", "_lstat",
		"_stat$INODE64", "_fstat$INODE64", "_fstatat$INODE64", "_lstat$INODE64")
	add(KindFunction, both, "_getattrlist", "_fgetattrlist", "_getattrlistat")
	add(KindData, ts, "_NSFileCreationDate", "_NSFileModificationDate",
		"_NSURLContentModificationDateKey", "_NSURLCreationDateKey")

	add(KindFunction, []string{CategorySystemBootTime}, "_mach_absolute_time")
	add(KindSelector, []string{CategorySystemBootTime}, "systemUptime")

	add(KindFunction, disk, "_statfs", "_statvfs", "_fstatfs", "_fstatvfs",
		"_statfs$INODE64", "_fstatfs$INODE64")
	add(KindData, disk, "_NSFileSystemFreeSize", "_NSFileSystemSize",
		"_NSURLVolumeAvailableCapacityKey", "_NSURLVolumeAvailableCapacityForImportantUsageKey",
		"_NSURLVolumeAvailableCapacityForOpportunisticUsageKey", "_NSURLVolumeTotalCapacityKey")

	add(KindSelector, []string{CategoryActiveKeyboards}, "activeInputModes")

	add(KindClass, []string{CategoryUserDefaults}, "_OBJC_CLASS_$_NSUserDefaults")
	return out
}

var (
	symbolAPIs   = map[string]*API{}
	selectorAPIs = map[string]*API{}
)

func init() {
	for i := range APIs {
		a := &APIs[i]
		if a.Kind == KindSelector {
			selectorAPIs[a.Name] = a
		} else {
			symbolAPIs[a.Name] = a
		}
	}
}

// Categories lists the required-reason categories in a fixed order.
var Categories = []string{
	CategoryActiveKeyboards, CategoryDiskSpace, CategoryFileTimestamp, CategorySystemBootTime, CategoryUserDefaults,
}

// ShortCategory drops the NSPrivacyAccessedAPICategory prefix, for messages.
func ShortCategory(c string) string {
	const prefix = "NSPrivacyAccessedAPICategory"
	if len(c) > len(prefix) && c[:len(prefix)] == prefix {
		return c[len(prefix):]
	}
	return c
}
