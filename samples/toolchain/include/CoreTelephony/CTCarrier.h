#import <CoreTelephony/CTTelephonyNetworkInfo.h>
