// A stand-in for FBSDKLoginKit 5.x, written for this project: class names and strings a static
// scan would see. It is not the vendor's code.
#import <Foundation/Foundation.h>
#import <UIKit/UIKit.h>

@interface FBSDKSettings : NSObject
+ (NSString *)appID;
+ (NSString *)graphAPIVersion;
@end

@interface FBSDKLoginManager : NSObject
- (void)logInWithPermissions:(NSArray *)permissions fromViewController:(UIViewController *)viewController handler:(id)handler;
@end

@implementation FBSDKLoginManager
- (void)logInWithPermissions:(NSArray *)permissions fromViewController:(UIViewController *)viewController handler:(id)handler {
	NSURL *url = [NSURL URLWithString:[NSString stringWithFormat:@"https://m.facebook.com/%@/dialog/oauth?client_id=%@&redirect_uri=fb%@://authorize",
		[FBSDKSettings graphAPIVersion], [FBSDKSettings appID], [FBSDKSettings appID]]];
	NSLog(@"FBSDKLog: open %@", url);
}
@end
