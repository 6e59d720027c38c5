package io.dovetail.common.config;

import java.time.Duration;
import java.util.Locale;

/** Parsing and formatting of byte sizes and durations as written in configuration. */
public final class Sizes {
  private Sizes() {}

  /** Parses "512", "64k", "16m", "2g", "1t" (binary units; a trailing "b" or "ib" is allowed). */
  public static long parseBytes(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.endsWith("ib")) {
      s = s.substring(0, s.length() - 2);
    } else if (s.endsWith("b")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty size");
    }
    long multiplier = 1;
    char last = s.charAt(s.length() - 1);
    switch (last) {
      case 'k' -> multiplier = 1L << 10;
      case 'm' -> multiplier = 1L << 20;
      case 'g' -> multiplier = 1L << 30;
      case 't' -> multiplier = 1L << 40;
      default -> {
        if (!Character.isDigit(last)) {
          throw new IllegalArgumentException("unknown size unit '" + last + "'");
        }
      }
    }
    String number = multiplier == 1 ? s : s.substring(0, s.length() - 1).trim();
    long value = Long.parseLong(number);
    if (value < 0) {
      throw new IllegalArgumentException("negative size");
    }
    return Math.multiplyExact(value, multiplier);
  }

  /** Formats bytes with the largest exact binary unit: 1048576 becomes "1m". */
  public static String formatBytes(long bytes) {
    String[] units = {"t", "g", "m", "k"};
    int[] shifts = {40, 30, 20, 10};
    for (int i = 0; i < units.length; i++) {
      long unit = 1L << shifts[i];
      if (bytes != 0 && bytes % unit == 0) {
        return (bytes / unit) + units[i];
      }
    }
    return Long.toString(bytes);
  }

  /** Human-readable bytes with one decimal, for logs and status output. */
  public static String humanBytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double v = bytes;
    int i = -1;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
  }

  /** Parses "250ms", "30s", "5m", "2h", "1d", or a plain number of milliseconds. */
  public static Duration parseDuration(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty duration");
    }
    Duration d;
    if (s.endsWith("ms")) {
      d = Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
    } else if (s.endsWith("s")) {
      d = Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).trim()));
    } else if (s.endsWith("m")) {
      d = Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1).trim()));
    } else if (s.endsWith("h")) {
      d = Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1).trim()));
    } else if (s.endsWith("d")) {
      d = Duration.ofDays(Long.parseLong(s.substring(0, s.length() - 1).trim()));
    } else {
      d = Duration.ofMillis(Long.parseLong(s));
    }
    if (d.isNegative()) {
      throw new IllegalArgumentException("negative duration");
    }
    if (d.compareTo(MAX_DURATION) > 0) {
      // Timers count nanoseconds in a long: a longer value would overflow where it is used.
      throw new IllegalArgumentException("longer than " + MAX_DURATION.toDays() + " days");
    }
    return d;
  }

  /** The longest duration accepted: what nanoseconds in a long can count, rounded down. */
  public static final Duration MAX_DURATION = Duration.ofDays(100L * 365);

  /** Formats with the largest exact unit: 30000 ms becomes "30s". */
  public static String formatDuration(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 86_400_000L == 0) {
      return ms / 86_400_000L + "d";
    }
    if (ms != 0 && ms % 3_600_000L == 0) {
      return ms / 3_600_000L + "h";
    }
    if (ms != 0 && ms % 60_000L == 0) {
      return ms / 60_000L + "m";
    }
    if (ms != 0 && ms % 1000L == 0) {
      return ms / 1000L + "s";
    }
    return ms + "ms";
  }
}
