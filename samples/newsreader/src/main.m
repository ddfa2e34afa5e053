// Newsreader: the app's own code. Google Mobile Ads and Firebase Analytics are linked
// statically into this executable; analytics stays off until the reader agrees (Info.plist
// defaults), and ads ask for tracking permission first.
#import <UIKit/UIKit.h>
#import <AppTrackingTransparency/AppTrackingTransparency.h>

@interface FIRApp : NSObject
+ (void)configure;
@end

@interface FIRAnalytics : NSObject
+ (void)setAnalyticsCollectionEnabled:(BOOL)enabled;
@end

@interface GADMobileAds : NSObject
+ (GADMobileAds *)sharedInstance;
- (void)startWithCompletionHandler:(id)completionHandler;
@end

@interface NRArticleStore : NSObject
- (void)markRead:(NSString *)articleID;
- (BOOL)isRead:(NSString *)articleID;
@end

@implementation NRArticleStore
- (void)markRead:(NSString *)articleID {
	[[NSUserDefaults standardUserDefaults] setBool:YES forKey:[NSString stringWithFormat:@"read.%@", articleID]];
}
- (BOOL)isRead:(NSString *)articleID {
	return [[NSUserDefaults standardUserDefaults] boolForKey:[NSString stringWithFormat:@"read.%@", articleID]];
}
@end

@interface NRConsentController : NSObject
+ (void)userAcceptedAnalytics;
+ (void)requestTrackingThenStartAds;
@end

@implementation NRConsentController
+ (void)userAcceptedAnalytics {
	[FIRAnalytics setAnalyticsCollectionEnabled:YES];
}
+ (void)requestTrackingThenStartAds {
	[ATTrackingManager requestTrackingAuthorizationWithCompletionHandler:nil];
	[[GADMobileAds sharedInstance] startWithCompletionHandler:nil];
}
@end

@interface NRAppDelegate : UIResponder <UIApplicationDelegate>
@end

@implementation NRAppDelegate
- (BOOL)application:(UIApplication *)application didFinishLaunchingWithOptions:(NSDictionary *)launchOptions {
	// Configures Firebase; collection waits for NRConsentController (see Info.plist).
	[FIRApp configure];
	return YES;
}
@end

int main(int argc, char *argv[]) {
	return UIApplicationMain(argc, argv, nil, @"NRAppDelegate");
}
