// CleanNotes: a notes app with no third-party code. It uses four required-reason APIs, each
// for a reason its privacy manifest declares: notes in its own user defaults (CA92.1), the
// modification time of its own files (C617.1), elapsed time for autosave (35F9.1), and free
// space before writing (E174.1). Nothing leaves the device.
#import <UIKit/UIKit.h>
#import <mach/mach_time.h>
#import <sys/stat.h>

@interface CNNoteStore : NSObject
- (void)saveNote:(NSString *)text atPath:(NSString *)path;
- (long)modificationTimeOfNoteAtPath:(NSString *)path;
- (BOOL)hasRoomToSave;
@end

@implementation CNNoteStore
- (void)saveNote:(NSString *)text atPath:(NSString *)path {
	if (![self hasRoomToSave]) {
		return;
	}
	[[NSUserDefaults standardUserDefaults] setObject:text forKey:path];
}
- (long)modificationTimeOfNoteAtPath:(NSString *)path {
	struct stat info;
	if (stat([path UTF8String], &info) != 0) {
		return 0;
	}
	return info.st_mtimespec.tv_sec;
}
- (BOOL)hasRoomToSave {
	NSDictionary *attributes = [[NSFileManager defaultManager] attributesOfFileSystemForPath:@"/" error:NULL];
	return [[attributes objectForKey:NSFileSystemFreeSize] longLongValue] > 10 * 1024 * 1024;
}
@end

@interface NSObject (CNNumbers)
- (long long)longLongValue;
@end

@interface CNAutosaveTimer : NSObject {
	unsigned long long lastSave;
}
- (BOOL)shouldSave;
@end

@implementation CNAutosaveTimer
- (BOOL)shouldSave {
	unsigned long long now = mach_absolute_time();
	BOOL due = now - lastSave > 5ull * 1000 * 1000 * 1000;
	if (due) {
		lastSave = now;
	}
	return due;
}
@end

@interface CNAppDelegate : UIResponder <UIApplicationDelegate>
@end

@implementation CNAppDelegate
- (BOOL)application:(UIApplication *)application didFinishLaunchingWithOptions:(NSDictionary *)launchOptions {
	return YES;
}
@end

int main(int argc, char *argv[]) {
	return UIApplicationMain(argc, argv, nil, @"CNAppDelegate");
}
