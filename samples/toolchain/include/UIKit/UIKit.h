// Minimal UIKit declarations for the sample sources (see ../README.md).
#ifndef SAMPLE_UIKIT_H
#define SAMPLE_UIKIT_H
#import <Foundation/Foundation.h>

typedef struct {
	double width, height;
} CGSize;

@interface UIResponder : NSObject
@end

@class UIApplication;

@protocol UIApplicationDelegate
- (BOOL)application:(UIApplication *)application didFinishLaunchingWithOptions:(NSDictionary *)launchOptions;
@end

@interface UIApplication : UIResponder
+ (UIApplication *)sharedApplication;
@end

@interface UIDevice : NSObject
+ (UIDevice *)currentDevice;
- (NSString *)model;
- (NSString *)systemName;
- (NSString *)systemVersion;
- (NSUUID *)identifierForVendor;
@end

@interface UIScreen : NSObject
+ (UIScreen *)mainScreen;
- (double)scale;
@end

@interface UIViewController : UIResponder
@end

@interface UITextInputMode : NSObject
+ (NSArray *)activeInputModes;
@end

int UIApplicationMain(int argc, char *argv[], NSString *principalClassName, NSString *delegateClassName);

#endif
