// Fixture SDK for the Mach-O reader tests: the shapes a real tracking SDK leaves in a binary
// (classes, a category, a protocol, a Swift-named class, required-reason API use), written
// from scratch for sdkflow.

typedef struct objc_class *Class;
typedef struct objc_object { Class isa; } *id;
typedef struct objc_selector *SEL;
typedef signed char BOOL;
typedef unsigned long long uint64_t;

struct stat { long long st_size; long long st_mtime; char pad[128]; };
struct statfs { unsigned long long f_bavail; unsigned long long f_bsize; char pad[2048]; };
extern int stat(const char *, struct stat *);
extern int statfs(const char *, struct statfs *);
extern uint64_t mach_absolute_time(void);
extern id NSFileSystemFreeSize;

__attribute__((objc_root_class))
@interface NSObject { Class isa; }
+ (id)alloc;
- (id)init;
@end

@interface NSUserDefaults : NSObject
+ (id)standardUserDefaults;
- (id)objectForKey:(id)key;
@end

@interface NSProcessInfo : NSObject
+ (id)processInfo;
- (double)systemUptime;
@end

@interface UITextInputMode : NSObject
+ (id)activeInputModes;
@end

@protocol SFKTrackingDelegate
- (void)trackerDidFlush:(id)tracker;
@end

@interface SFKTracker : NSObject <SFKTrackingDelegate>
+ (instancetype)sharedTracker;
- (void)logEvent:(const char *)name;
@end

@implementation SFKTracker
+ (instancetype)sharedTracker {
  static SFKTracker *shared;
  if (!shared) shared = [[SFKTracker alloc] init];
  return shared;
}
- (void)logEvent:(const char *)name {
  (void)name;
  (void)[[NSUserDefaults standardUserDefaults] objectForKey:(id)0];
}
- (void)trackerDidFlush:(id)tracker { (void)tracker; }
@end

@interface SFKDeviceInfo : NSObject
- (uint64_t)collect;
@end

@implementation SFKDeviceInfo
- (uint64_t)collect {
  struct stat st;
  struct statfs fs;
  uint64_t v = 0;
  if (stat("/var/mobile", &st) == 0) v += (uint64_t)st.st_mtime;
  if (statfs("/", &fs) == 0) v += fs.f_bavail * fs.f_bsize;
  v += mach_absolute_time();
  double up = [[NSProcessInfo processInfo] systemUptime];
  id modes = [UITextInputMode activeInputModes];
  (void)modes;
  if (NSFileSystemFreeSize) v++;
  return v + (uint64_t)up;
}
@end

__attribute__((objc_runtime_name("_TtC12FirebaseCore16FirebaseAppSwift")))
@interface SFKSwiftBridge : NSObject
@end

@implementation SFKSwiftBridge
@end

@interface SFKTracker (SFKLifecycle)
- (void)applicationDidLaunch;
@end

@implementation SFKTracker (SFKLifecycle)
- (void)applicationDidLaunch { [self logEvent:"launch"]; }
@end

// A category on a class of another image: its class pointer is a bind.
@interface NSObject (SFKSwizzle)
- (void)sfk_swizzledDealloc;
@end

@implementation NSObject (SFKSwizzle)
- (void)sfk_swizzledDealloc {}
@end

const char *SFKEndpointURL = "https://events.sdkflow-fixture.example/v1/collect";
const char *SFKVersionString = "TrackKit/4.2.0";

int SFKStart(void) {
  [[SFKTracker sharedTracker] logEvent:SFKEndpointURL];
  return [[SFKDeviceInfo alloc] init] != 0;
}
