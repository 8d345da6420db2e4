/**
 * Okabe & Ito's palette, told apart with every common colour-vision deficiency; the page never
 * relies on it alone (names, values, arrows and words say the same). Series take the seven
 * colours in order, the rest of the groups are summed into one grey "Other".
 */
export const SERIES_COLOURS = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'];
export const OTHER_COLOUR = '#8C8C8C';
