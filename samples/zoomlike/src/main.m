// Zoomlike: the app's own code. A video-conferencing app that offers "Log in with Facebook"
// and, like the 2020 case it reproduces, hands its launch to the Facebook SDK before the user
// has been asked anything.
#import <UIKit/UIKit.h>

@interface FBSDKApplicationDelegate : NSObject
+ (instancetype)sharedInstance;
- (BOOL)application:(UIApplication *)application didFinishLaunchingWithOptions:(NSDictionary *)launchOptions;
@end

@interface FBSDKLoginManager : NSObject
- (void)logInWithPermissions:(NSArray *)permissions fromViewController:(UIViewController *)viewController handler:(id)handler;
@end

@interface ZLMeetingClient : NSObject
- (void)joinMeeting:(NSString *)meetingID;
@end

@implementation ZLMeetingClient
- (void)joinMeeting:(NSString *)meetingID {
	NSURL *url = [NSURL URLWithString:[NSString stringWithFormat:@"https://api.zoomlike.example/v1/meetings/%@/join", meetingID]];
	[[[NSURLSession sharedSession] dataTaskWithURL:url] resume];
}
@end

@interface ZLLoginViewController : UIViewController
- (void)logInWithFacebook;
@end

@implementation ZLLoginViewController
- (void)logInWithFacebook {
	FBSDKLoginManager *login = [[FBSDKLoginManager alloc] init];
	[login logInWithPermissions:nil fromViewController:self handler:nil];
}
@end

@interface ZLAppDelegate : UIResponder <UIApplicationDelegate>
@end

@implementation ZLAppDelegate
- (BOOL)application:(UIApplication *)application didFinishLaunchingWithOptions:(NSDictionary *)launchOptions {
	// Runs on every launch, before any screen is shown: the SDK starts its own launch reporting.
	[[FBSDKApplicationDelegate sharedInstance] application:application didFinishLaunchingWithOptions:launchOptions];
	return YES;
}
@end

int main(int argc, char *argv[]) {
	return UIApplicationMain(argc, argv, nil, @"ZLAppDelegate");
}
