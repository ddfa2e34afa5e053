// Package privacy reproduces, on Linux and from the static pass's facts, the privacy checks App
// Store Connect runs on upload, and the privacy report Xcode builds only on macOS.
//
// Required-reason API use is read per binary from Mach-O facts, never from strings: imported
// symbols (C functions such as _stat or _mach_absolute_time, Foundation data constants such as
// _NSFileSystemFreeSize, the class symbol _OBJC_CLASS_$_NSUserDefaults) and selector
// references (systemUptime, activeInputModes), each matched by its exact name. Symbols survive
// FairPlay encryption; selectors do not, and an encrypted binary is reported as a limitation.
//
// Which manifest covers which binary. A binary is covered by the PrivacyInfo.xcprivacy of the
// bundle that holds it, together with the manifests of the resource bundles that bundle holds
// directly (no other code bundle in between):
//
//   - a framework's binary by the framework's own manifest (and X.framework/X_Privacy.bundle,
//     where CocoaPods puts it); never by the app's, since Apple requires every SDK bundle that
//     uses a required-reason API to carry its own;
//   - an app's or extension's main executable by that bundle's manifest and the manifests of
//     its resource bundles, because SDKs linked statically into the executable ship their
//     manifest in a resource bundle (CocoaPods *_Privacy.bundle, SwiftPM Package_Target.bundle)
//     and Xcode merges those into the app's declarations;
//   - a loose dylib under Frameworks/ by its enclosing bundle's manifests, as it has no bundle
//     of its own. Apple's Swift runtime (libswift*.dylib) is Apple's code and is not checked.
//
// A category counts as declared only with at least one reason code.
//
// SDK attribution: a binary's uses are attributed to the SDKs whose code it holds
// (model.SDK.Binaries, confidence medium or high). A dynamic framework usually holds one SDK. A
// main executable holds the app's own code and every statically linked SDK; its uses are not
// attributed to any one of them, and the SDKs are listed as candidates instead.
package privacy
