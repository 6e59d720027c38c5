/**
 * Plain-text output of the command line: aligned tables ({@link io.dovetail.cli.format.TextTable})
 * and human units ({@link io.dovetail.cli.format.Units}). No colours and no terminal control, so
 * output reads the same in a terminal, a log file and a CI transcript.
 */
package io.dovetail.cli.format;
