// Minimal CoreTelephony declarations for the sample sources (see ../README.md).
#import <Foundation/Foundation.h>

@interface CTCarrier : NSObject
- (NSString *)carrierName;
- (NSString *)mobileCountryCode;
- (NSString *)mobileNetworkCode;
@end

@interface CTTelephonyNetworkInfo : NSObject
- (CTCarrier *)subscriberCellularProvider;
@end
