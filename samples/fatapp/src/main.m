// Fatapp: a small fitness log whose executable, like the Mixpanel framework it embeds, is a
// universal file with an arm64 device slice and an x86_64 simulator slice.
#import <UIKit/UIKit.h>

@interface Mixpanel : NSObject
+ (Mixpanel *)sharedInstanceWithToken:(NSString *)token;
- (void)track:(NSString *)event;
@end

@interface FAWorkoutLog : NSObject
- (void)logWorkout:(NSString *)kind;
@end

@implementation FAWorkoutLog
- (void)logWorkout:(NSString *)kind {
	[[NSUserDefaults standardUserDefaults] setObject:kind forKey:@"lastWorkout"];
	[[Mixpanel sharedInstanceWithToken:@"0123456789abcdef0123456789abcdef"] track:@"workout_logged"];
}
@end

@interface FAAppDelegate : UIResponder <UIApplicationDelegate>
@end

@implementation FAAppDelegate
- (BOOL)application:(UIApplication *)application didFinishLaunchingWithOptions:(NSDictionary *)launchOptions {
	return YES;
}
@end

int main(int argc, char *argv[]) {
	return UIApplicationMain(argc, argv, nil, @"FAAppDelegate");
}
