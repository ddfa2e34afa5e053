// Minimal Foundation declarations for the sample sources (see ../README.md).
#ifndef SAMPLE_FOUNDATION_H
#define SAMPLE_FOUNDATION_H

typedef _Bool BOOL;
#define YES ((BOOL)1)
#define NO ((BOOL)0)
#define nil ((id)0)
#define NULL ((void *)0)
typedef long NSInteger;
typedef unsigned long NSUInteger;
typedef double NSTimeInterval;
typedef unsigned long size_t;
typedef unsigned long long uint64_t;

@class NSString, NSDictionary, NSURL, NSData, NSError;

__attribute__((objc_root_class))
@interface NSObject {
	Class isa;
}
+ (instancetype)alloc;
+ (instancetype)new;
+ (Class)class;
- (instancetype)init;
- (instancetype)retain;
- (void)release;
- (instancetype)autorelease;
- (BOOL)respondsToSelector:(SEL)selector;
@end

@interface NSString : NSObject
+ (instancetype)stringWithFormat:(NSString *)format, ...;
+ (instancetype)stringWithUTF8String:(const char *)s;
- (NSUInteger)length;
- (const char *)UTF8String;
@end

@interface NSNumber : NSObject
+ (NSNumber *)numberWithLongLong:(long long)value;
+ (NSNumber *)numberWithDouble:(double)value;
- (long long)longLongValue;
@end

@interface NSArray : NSObject
+ (instancetype)arrayWithObjects:(const id *)objects count:(NSUInteger)count;
- (NSUInteger)count;
- (id)objectAtIndex:(NSUInteger)index;
@end

@interface NSDictionary : NSObject
+ (instancetype)dictionaryWithObjects:(const id *)objects forKeys:(const id *)keys count:(NSUInteger)count;
- (id)objectForKey:(id)key;
@end

@interface NSData : NSObject
- (NSUInteger)length;
@end

@interface NSUUID : NSObject
- (NSString *)UUIDString;
@end

@interface NSUserDefaults : NSObject
+ (NSUserDefaults *)standardUserDefaults;
- (id)objectForKey:(NSString *)key;
- (BOOL)boolForKey:(NSString *)key;
- (void)setObject:(id)value forKey:(NSString *)key;
- (void)setBool:(BOOL)value forKey:(NSString *)key;
@end

@interface NSProcessInfo : NSObject
+ (NSProcessInfo *)processInfo;
- (NSTimeInterval)systemUptime;
- (NSUInteger)processorCount;
@end

@interface NSFileManager : NSObject
+ (NSFileManager *)defaultManager;
- (NSDictionary *)attributesOfFileSystemForPath:(NSString *)path error:(NSError **)error;
- (NSDictionary *)attributesOfItemAtPath:(NSString *)path error:(NSError **)error;
@end

@interface NSTimeZone : NSObject
+ (NSTimeZone *)systemTimeZone;
- (NSString *)name;
- (NSString *)abbreviation;
@end

@interface NSLocale : NSObject
+ (NSLocale *)currentLocale;
- (NSString *)localeIdentifier;
@end

@interface NSBundle : NSObject
+ (NSBundle *)mainBundle;
- (id)objectForInfoDictionaryKey:(NSString *)key;
- (NSString *)bundleIdentifier;
@end

@interface NSURL : NSObject
+ (instancetype)URLWithString:(NSString *)string;
@end

@interface NSURLSessionTask : NSObject
- (void)resume;
@end

@interface NSURLSession : NSObject
+ (NSURLSession *)sharedSession;
- (NSURLSessionTask *)dataTaskWithURL:(NSURL *)url;
@end

typedef NSString *NSFileAttributeKey;
extern NSFileAttributeKey const NSFileSystemSize;
extern NSFileAttributeKey const NSFileSystemFreeSize;
extern NSFileAttributeKey const NSFileModificationDate;
extern NSFileAttributeKey const NSFileCreationDate;

void NSLog(NSString *format, ...);
// The entry point of app extensions.
int NSExtensionMain(int argc, char *argv[]);

#endif
