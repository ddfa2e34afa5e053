// Newsreader's notification service extension: hands rich notifications to the OneSignal
// extension code linked statically into it.
#import <Foundation/Foundation.h>
#import <UserNotifications/UserNotifications.h>

@interface OneSignalExtension : NSObject
+ (void)didReceiveNotificationExtensionRequest:(UNNotificationRequest *)request withContent:(id)content withContentHandler:(id)handler;
+ (void)serviceExtensionTimeWillExpireRequest:(UNNotificationRequest *)request withContent:(id)content;
@end

@interface NotificationService : UNNotificationServiceExtension
@end

@implementation NotificationService
- (void)didReceiveNotificationRequest:(UNNotificationRequest *)request withContentHandler:(id)contentHandler {
	[OneSignalExtension didReceiveNotificationExtensionRequest:request withContent:nil withContentHandler:contentHandler];
}
- (void)serviceExtensionTimeWillExpire {
	[OneSignalExtension serviceExtensionTimeWillExpireRequest:nil withContent:nil];
}
@end

int main(int argc, char *argv[]) {
	return NSExtensionMain(argc, argv);
}
