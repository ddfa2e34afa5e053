// Fixture app executable: links the fixture SDK and Foundation, uses NSUserDefaults.
typedef struct objc_object { void *isa; } *id;
extern int SFKStart(void);

__attribute__((objc_root_class))
@interface NSObject { void *isa; }
@end
@interface NSUserDefaults : NSObject
+ (id)standardUserDefaults;
@end

@interface AppDelegate : NSObject
@end
@implementation AppDelegate
@end

int main(void) {
  (void)[NSUserDefaults standardUserDefaults];
  return SFKStart();
}
