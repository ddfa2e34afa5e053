// Minimal AppTrackingTransparency declarations for the sample sources (see ../README.md).
#import <Foundation/Foundation.h>

typedef NSUInteger ATTrackingManagerAuthorizationStatus;

@interface ATTrackingManager : NSObject
+ (ATTrackingManagerAuthorizationStatus)trackingAuthorizationStatus;
+ (void)requestTrackingAuthorizationWithCompletionHandler:(id)completion;
@end
