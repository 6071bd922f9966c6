#pragma once
/* On the chip: a section in RTC memory that the bootloader leaves as it is. */
#define RTC_NOINIT_ATTR
