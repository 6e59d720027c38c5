package io.dovetail.cli.demo;

/** Lets tests in other packages see the chart's geometry. */
public final class ComparisonAccess {
  private ComparisonAccess() {}

  public static int panelWidth() {
    return Comparison.PANEL_WIDTH;
  }
}
