// Minimal AdSupport declarations for the sample sources (see ../README.md).
#import <Foundation/Foundation.h>

@interface ASIdentifierManager : NSObject
+ (ASIdentifierManager *)sharedManager;
- (NSUUID *)advertisingIdentifier;
- (BOOL)isAdvertisingTrackingEnabled;
@end
