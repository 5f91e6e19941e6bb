/* Apple's SDK header that ring's C reads to tell macOS from iOS, for type checks of the macOS
   targets from Linux (scripts/macos-check.sh): macOS, not iOS. Never linked into anything. */
#pragma once
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 1
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_TV 0
#define TARGET_OS_WATCH 0
#define TARGET_OS_SIMULATOR 0
