package io.dovetail.examples.terasort;

import java.io.Serializable;
import java.util.Comparator;

/**
 * Orders 10-byte TeraSort keys as unsigned bytes; Spark ships it to every task that sorts.
 * Stateless and thread-safe.
 */
public final class KeyComparator implements Comparator<byte[]>, Serializable {
  private static final long serialVersionUID = 1L;

  @Override
  public int compare(byte[] a, byte[] b) {
    return TeraRecords.compareKeys(a, b);
  }
}
