// A stand-in for a 2020-era FBSDKCoreKit (5.x), written for this project: the same class
// names and the same system APIs as the launch report ("activities" with an "extinfo" device
// array, the advertising ID and an anonymous ID), so that static analysis sees what it would
// see in the real framework. It is not the vendor's code and it sends nothing.
#import <Foundation/Foundation.h>
#import <UIKit/UIKit.h>
#import <AdSupport/AdSupport.h>
#import <CoreTelephony/CTTelephonyNetworkInfo.h>
#import <mach/mach_time.h>
#import <sys/sysctl.h>
#import <sys/utsname.h>

#define FBSDK_VERSION_STRING @"5.15.1"
#define FBSDK_TARGET_PLATFORM_VERSION @"v5.0"

@interface FBSDKSettings : NSObject
+ (NSString *)appID;
+ (NSString *)graphAPIVersion;
+ (BOOL)isAutoLogAppEventsEnabled;
+ (BOOL)isAdvertiserIDCollectionEnabled;
@end

@implementation FBSDKSettings
+ (NSString *)appID {
	return [[NSBundle mainBundle] objectForInfoDictionaryKey:@"FacebookAppID"];
}
+ (NSString *)graphAPIVersion {
	return FBSDK_TARGET_PLATFORM_VERSION;
}
// Both flags default to on when the app's Info.plist does not set them.
+ (BOOL)isAutoLogAppEventsEnabled {
	id value = [[NSBundle mainBundle] objectForInfoDictionaryKey:@"FacebookAutoLogAppEventsEnabled"];
	return value == nil || [value boolValue];
}
+ (BOOL)isAdvertiserIDCollectionEnabled {
	id value = [[NSBundle mainBundle] objectForInfoDictionaryKey:@"FacebookAdvertiserIDCollectionEnabled"];
	return value == nil || [value boolValue];
}
@end

@interface NSObject (FBSDKBoolValue)
- (BOOL)boolValue;
@end

@interface FBSDKAppEventsDeviceInfo : NSObject
+ (NSString *)extinfo;
@end

@implementation FBSDKAppEventsDeviceInfo
+ (NSString *)machine {
	struct utsname info;
	uname(&info);
	return [NSString stringWithUTF8String:info.machine];
}
+ (unsigned long long)coreCount {
	unsigned long long cores = 0;
	unsigned long size = sizeof(cores);
	sysctlbyname("hw.ncpu", &cores, &size, NULL, 0);
	return cores;
}
+ (long long)diskSpaceInGB:(NSString *)key {
	NSDictionary *attributes = [[NSFileManager defaultManager] attributesOfFileSystemForPath:@"/" error:NULL];
	return [[attributes objectForKey:key] longLongValue] / (1024 * 1024 * 1024);
}
+ (NSString *)carrierName {
	CTTelephonyNetworkInfo *networkInfo = [[CTTelephonyNetworkInfo alloc] init];
	NSString *name = [[networkInfo subscriberCellularProvider] carrierName];
	[networkInfo release];
	return name ?: @"NoCarrier";
}
// The "extinfo" array: version, bundle, versions, OS, device model, locale, time zone
// abbreviation, carrier, screen, cores, disk space, time zone name.
+ (NSString *)extinfo {
	UIDevice *device = [UIDevice currentDevice];
	NSTimeZone *timeZone = [NSTimeZone systemTimeZone];
	return [NSString stringWithFormat:@"[\"i2\",\"%@\",\"%@\",\"%@\",\"%@\",\"%@\",\"%@\",\"%@\",\"%@\",%d,%d,%.2f,%llu,%lld,%lld,\"%@\"]",
		[[NSBundle mainBundle] bundleIdentifier], @"", @"", [device systemVersion], [self machine],
		[[NSLocale currentLocale] localeIdentifier], [timeZone abbreviation], [self carrierName],
		0, 0, [[UIScreen mainScreen] scale], [self coreCount],
		[self diskSpaceInGB:NSFileSystemSize], [self diskSpaceInGB:NSFileSystemFreeSize], [timeZone name]];
}
@end

@interface FBSDKAppEventsUtility : NSObject
+ (NSString *)advertiserID;
+ (NSString *)anonymousID;
+ (NSString *)activitiesPath;
@end

@implementation FBSDKAppEventsUtility
+ (NSString *)advertiserID {
	if (![FBSDKSettings isAdvertiserIDCollectionEnabled]) {
		return nil;
	}
	// AdSupport is weakly linked: the class is nil where the framework is missing.
	if (![ASIdentifierManager class]) {
		return nil;
	}
	return [[[ASIdentifierManager sharedManager] advertisingIdentifier] UUIDString];
}
+ (NSString *)anonymousID {
	NSUserDefaults *defaults = [NSUserDefaults standardUserDefaults];
	NSString *anonID = [defaults objectForKey:@"com.facebook.sdk:anonymousID"];
	if (!anonID) {
		anonID = [NSString stringWithFormat:@"XZ%@", [[[UIDevice currentDevice] identifierForVendor] UUIDString]];
		[defaults setObject:anonID forKey:@"com.facebook.sdk:anonymousID"];
	}
	return anonID;
}
+ (NSString *)activitiesPath {
	return [NSString stringWithFormat:@"https://graph.%@/%@/%@/activities", @"facebook.com",
		[FBSDKSettings graphAPIVersion], [FBSDKSettings appID]];
}
@end

@interface FBSDKGraphRequest : NSObject
+ (void)postActivities:(NSDictionary *)parameters;
@end

@implementation FBSDKGraphRequest
+ (void)postActivities:(NSDictionary *)parameters {
	// Sending is left out: the sample only has to look like the framework to a static scan.
	NSLog(@"FBSDKLog: POST %@ %@", [FBSDKAppEventsUtility activitiesPath], parameters);
}
@end

@interface FBSDKAppEvents : NSObject
+ (void)activateApp;
@end

@implementation FBSDKAppEvents
+ (void)activateApp {
	unsigned long long launchTicks = mach_absolute_time();
	id keys[] = {@"event", @"extinfo", @"advertiser_id", @"anon_id", @"advertiser_tracking_enabled",
		@"application_tracking_enabled", @"launch_ticks"};
	id values[] = {@"MOBILE_APP_INSTALL", [FBSDKAppEventsDeviceInfo extinfo],
		[FBSDKAppEventsUtility advertiserID] ?: @"", [FBSDKAppEventsUtility anonymousID], @"1", @"1",
		[NSNumber numberWithLongLong:(long long)launchTicks]};
	[FBSDKGraphRequest postActivities:[NSDictionary dictionaryWithObjects:values forKeys:keys count:7]];
}
@end

@interface FBSDKApplicationDelegate : NSObject
+ (instancetype)sharedInstance;
- (BOOL)application:(UIApplication *)application didFinishLaunchingWithOptions:(NSDictionary *)launchOptions;
@end

@implementation FBSDKApplicationDelegate
+ (instancetype)sharedInstance {
	static FBSDKApplicationDelegate *shared;
	if (!shared) {
		shared = [[FBSDKApplicationDelegate alloc] init];
	}
	return shared;
}
- (BOOL)application:(UIApplication *)application didFinishLaunchingWithOptions:(NSDictionary *)launchOptions {
	// The 2020 behaviour: with auto-logging on by default, every launch is reported.
	if ([FBSDKSettings isAutoLogAppEventsEnabled]) {
		[FBSDKAppEvents activateApp];
	}
	return YES;
}
@end
