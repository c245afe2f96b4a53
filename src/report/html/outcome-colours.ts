/**
 * The four outcomes as the page draws them: name, label and colour, one table for the chart, its
 * legend, the totals and the style sheet. Colours from Okabe and Ito's palette for colour-blind
 * readers (jfly.uni-koeln.de/color); the four stay apart under protanopia, deuteranopia and
 * tritanopia (test/report/html-colours.test.ts simulates them), and each outcome is also named in
 * the legend and every bar's tooltip, so colour is never the only cue.
 */

/** An outcome of an attempt as drawn. */
export interface OutcomeStyle {
  /** The report's key (`refused`). */
  key: 'accepted' | 'refused' | 'icmp_rejected' | 'unanswered';
  /** Its name on the page. */
  label: string;
  /** Fill colour, `#rrggbb`. */
  colour: string;
  /** What it means, for the legend's tooltip. */
  meaning: string;
}

/** The failures, in the order they stack from the axis up: refused (RST), ICMP rejected, unanswered. */
export const FAILURE_STYLES: readonly OutcomeStyle[] = [
  { key: 'refused', label: 'refused', colour: '#D55E00', meaning: 'a RST answered the SYN' },
  { key: 'icmp_rejected', label: 'ICMP rejected', colour: '#F0E442', meaning: 'an ICMP unreachable answered the SYN' },
  { key: 'unanswered', label: 'unanswered', colour: '#555555', meaning: 'nothing answered the SYN' },
];

/** Accepted: a SYN-ACK answered the SYN. */
export const ACCEPTED_STYLE: OutcomeStyle = { key: 'accepted', label: 'accepted', colour: '#56B4E9', meaning: 'a SYN-ACK answered the SYN' };

/** Every outcome: the failures, then accepted. */
export const OUTCOME_STYLES: readonly OutcomeStyle[] = [...FAILURE_STYLES, ACCEPTED_STYLE];
