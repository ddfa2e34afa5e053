// Minimal UserNotifications declarations for the sample sources (see ../README.md).
#import <Foundation/Foundation.h>

@interface UNNotificationRequest : NSObject
@end

@interface UNNotificationServiceExtension : NSObject
- (void)didReceiveNotificationRequest:(UNNotificationRequest *)request withContentHandler:(id)contentHandler;
- (void)serviceExtensionTimeWillExpire;
@end
