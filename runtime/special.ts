// Special functions that JavaScript's Math lacks, for op code templates that call them (the
// emitter bundles a helper only into models whose kernels use it). GELU needs the standard
// normal CDF Φ: Keras' exact gelu is x·Φ(x) = 0.5·x·(1 + erf(x/√2)), and Math has no erf.
//
//   normalCdf(0);      // 0.5
//   normalCdf(-1);     // 0.15865525393145707
//   normalCdf(-10);    // 7.61985302416047e-24 (full relative precision in the far tail)

/**
 * Φ(x), the standard normal CDF, by W. J. Cody's rational Chebyshev approximations (as in R's
 * pnorm): three ranges of |x|, each accurate to about 1e-16 relative, including the lower
 * tail. exp(-x²/2) is split as exp(-xs²/2)·exp(-(x-xs)(x+xs)/2) with xs = trunc(16x)/16 so
 * that the rounding of x² does not cost precision for large |x|.
 */
export function normalCdf(x: number): number {
  const y = Math.abs(x);
  if (y <= 0.66291) {
    // Φ(x) = 1/2 + x·R(x²)
    const z = y > 1.1e-16 ? x * x : 0;
    let num = 0.065682337918207449113 * z;
    let den = z;
    num = (num + 2.2352520354606839287) * z;
    den = (den + 47.20258190468824187) * z;
    num = (num + 161.02823106855587881) * z;
    den = (den + 976.09855173777669322) * z;
    num = (num + 1067.6894854603709582) * z;
    den = (den + 10260.932208618978205) * z;
    return 0.5 + (x * (num + 18154.981253343561249)) / (den + 45507.789335026729956);
  }
  let tail: number; // Φ(-|x|)
  if (y <= 5.656854249492381) {
    // √32: Φ(-y) = exp(-y²/2)·P(y)/Q(y)
    let num = 1.0765576773720192317e-8 * y;
    let den = y;
    num = (num + 0.39894151208813466764) * y;
    den = (den + 22.266688044328115691) * y;
    num = (num + 8.8831497943883759412) * y;
    den = (den + 235.38790178262499861) * y;
    num = (num + 93.506656132177855979) * y;
    den = (den + 1519.377599407554805) * y;
    num = (num + 597.27027639480026226) * y;
    den = (den + 6485.558298266760755) * y;
    num = (num + 2494.5375852903726711) * y;
    den = (den + 18615.571640885098091) * y;
    num = (num + 6848.1904505362823326) * y;
    den = (den + 34900.952721145977266) * y;
    num = (num + 11602.651437647350124) * y;
    den = (den + 38912.003286093271411) * y;
    tail = (num + 9842.7148383839780218) / (den + 19685.429676859990727);
  } else if (y < 40) {
    // Asymptotic range: Φ(-y) = exp(-y²/2)/y·(1/√(2π) − R(1/y²)/y²). Below -38.5, Φ underflows.
    const z = 1 / (x * x);
    let num = 0.02307344176494017303 * z;
    let den = z;
    num = (num + 0.21589853405795699) * z;
    den = (den + 1.28426009614491121) * z;
    num = (num + 0.1274011611602473639) * z;
    den = (den + 0.468238212480865118) * z;
    num = (num + 0.022235277870649807) * z;
    den = (den + 0.0659881378689285515) * z;
    num = (num + 0.001421619193227893466) * z;
    den = (den + 0.00378239633202758244) * z;
    const r = (z * (num + 2.9112874951168792e-5)) / (den + 7.29751555083966205e-5);
    tail = (0.3989422804014327 - r) / y;
  } else {
    return x > 0 ? 1 : x < 0 ? 0 : NaN;
  }
  const ys = Math.trunc(y * 16) / 16;
  tail *= Math.exp(-ys * ys * 0.5) * Math.exp(-(y - ys) * (y + ys) * 0.5);
  return x > 0 ? 1 - tail : tail;
}
