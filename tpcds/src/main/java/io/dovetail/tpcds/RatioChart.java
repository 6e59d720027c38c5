package io.dovetail.tpcds;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.Styler;

/**
 * The PNG of a run: one bar per query, Dovetail's time over the built-in shuffle's (below 1 is
 * faster), mismatching queries in red, a line at 1; failed queries have no bar and are named in
 * the title.
 *
 * <p>Thread-safe: stateless (renders headless).
 */
final class RatioChart {
  private RatioChart() {}

  static void write(Path png, List<Report.Row> rows, String what, Report.Summary s)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    List<String> names = new ArrayList<>();
    List<Double> matching = new ArrayList<>();
    List<Double> mismatching = new ArrayList<>();
    List<Double> parity = new ArrayList<>();
    for (Report.Row r : rows) {
      names.add(r.query());
      boolean mismatch = r.verdict().equals("MISMATCH");
      matching.add(r.bothOk() && !mismatch ? r.ratio() : 0.0);
      mismatching.add(r.bothOk() && mismatch ? r.ratio() : 0.0);
      parity.add(1.0);
    }
    String title = String.format(Locale.ROOT, "%s: Dovetail / built-in time per query; "
        + "total %.3f, geomean %.3f, %d mismatches, %d failures%s", what, s.totalRatio(),
        s.geomean(), s.mismatches().size(), s.failures().size(), s.failures().isEmpty() ? ""
            : ": " + String.join(" ", s.failures().stream().map(Report.Row::query).toList()));
    CategoryChart chart = new CategoryChartBuilder()
        .width(Math.max(900, 40 + 17 * rows.size())).height(560)
        .title(title).xAxisTitle("query").yAxisTitle("ratio (Dovetail / built-in)").build();
    CategoryStyler st = chart.getStyler();
    st.setOverlapped(true);
    st.setXAxisLabelRotation(90);
    st.setAvailableSpaceFill(0.8);
    st.setYAxisMin(0.0);
    st.setLegendPosition(Styler.LegendPosition.InsideNE);
    st.setChartBackgroundColor(Color.WHITE);
    st.setPlotGridVerticalLinesVisible(false);
    st.setChartTitleFont(st.getChartTitleFont().deriveFont(13f));
    CategorySeries ok = chart.addSeries("same rows", names, matching);
    ok.setFillColor(new Color(0x3b, 0x6e, 0xa8));
    CategorySeries bad = chart.addSeries("different rows", names, mismatching);
    bad.setFillColor(new Color(0xc0, 0x39, 0x2b));
    CategorySeries one = chart.addSeries("1.0 = same time", names, parity);
    one.setChartCategorySeriesRenderStyle(
        org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
    one.setLineColor(Color.DARK_GRAY);
    one.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
    try (OutputStream out = Files.newOutputStream(png)) {
      BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
    }
  }
}
