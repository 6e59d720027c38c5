package io.dovetail.metadata.state;

import io.dovetail.common.DovetailException;
import io.dovetail.common.ErrorCode;
import java.util.regex.Pattern;

/** Request validation: failures are INVALID_ARGUMENT with a message naming the field. Stateless. */
final class Check {
  /**
   * Application ids become directory names on storage servers, so only a safe set: a letter or
   * digit, then letters, digits, '.', '_' or '-', at most 200 in all. Spark's ids (local-...,
   * app-..., application_..., spark-...) fit.
   */
  static final Pattern APP_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");
  static final int MAX_HOST_LENGTH = 253;

  private Check() {}

  static DovetailException invalid(String message) {
    return new DovetailException(ErrorCode.INVALID_ARGUMENT, message);
  }

  static void arg(boolean ok, String message) {
    if (!ok) {
      throw invalid(message);
    }
  }

  static String appId(String appId) {
    if (appId == null || appId.isEmpty()) {
      throw invalid("app_id is required");
    }
    if (!APP_ID.matcher(appId).matches()) {
      throw invalid("app_id '" + printable(appId) + "' is not a valid application id (a letter or "
          + "digit, then letters, digits, '.', '_' or '-', at most 200)");
    }
    return appId;
  }

  static int shuffleId(int shuffleId) {
    arg(shuffleId >= 0, "shuffle_id must be >= 0, got " + shuffleId);
    return shuffleId;
  }

  static void hostPort(String host, int port) {
    arg(host != null && !host.isEmpty(), "host is required");
    arg(host.length() <= MAX_HOST_LENGTH && host.chars().allMatch(c -> c > ' ' && c < 127),
        "host '" + printable(host) + "' is not a valid host name or address");
    arg(port >= 1 && port <= 65535, "data_port must be in 1..65535, got " + port);
  }

  static long nonNegative(long v, String field) {
    arg(v >= 0, field + " must be >= 0, got " + v);
    return v;
  }

  private static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    StringBuilder sb = new StringBuilder();
    cut.codePoints().forEach(c -> {
      if (c >= ' ' && c < 127) {
        sb.appendCodePoint(c);
      } else {
        sb.append(String.format("\\u%04x", c));
      }
    });
    return sb.toString();
  }
}
