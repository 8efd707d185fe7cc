import { describe, expect, it } from "vitest";
import { copyRows, toMatrix } from "../../runtime/data.js";

describe("toMatrix", () => {
  it("flattens rows row-major", () => {
    expect(Array.from(toMatrix([[1, 2], [3, 4], [5, 6]], 2, "xs"))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(toMatrix([Float64Array.from([1, 2]), [3, 4]], 2, "xs"))).toEqual([1, 2, 3, 4]);
    expect(toMatrix([], 3, "xs").length).toBe(0);
  });

  it("accepts flat data: a Vec passes through, a number array is copied", () => {
    const v = Float64Array.from([1, 2, 3, 4]);
    expect(toMatrix(v, 2, "xs")).toBe(v);
    expect(Array.from(toMatrix([0, 2, 1], 1, "ys"))).toEqual([0, 2, 1]);
    expect(Array.from(toMatrix(Float32Array.from([1, 2]), 2, "xs"))).toEqual([1, 2]);
  });

  it("names the row for wrong widths and non-arrays", () => {
    expect(() => toMatrix([[1, 2], [3]], 2, "xs")).toThrow("xs: row 1 has 1 value, expected 2");
    expect(() => toMatrix([[1, 2], [3, 4, 5]], 2, "xs")).toThrow("xs: row 1 has 3 values, expected 2");
    expect(() => toMatrix([[1, 2], null] as never, 2, "ys")).toThrow("ys: row 1 is null, expected an array of 2 numbers");
    expect(() => toMatrix([1, 2, 3], 2, "xs")).toThrow("xs: flat data has 3 values, not a multiple of the row width 2");
    expect(() => toMatrix("abc" as never, 2, "xs")).toThrow(/xs: expected an array of rows/);
  });

  it("names the row and column for non-numbers and non-finite values", () => {
    expect(() => toMatrix([[1, 2], [3, NaN]], 2, "xs")).toThrow("xs: row 1, column 1 is NaN; expected a finite number");
    expect(() => toMatrix([[1, Infinity]], 2, "xs")).toThrow("xs: row 0, column 1 is Infinity; expected a finite number");
    expect(() => toMatrix([[1, "2"]] as never, 2, "xs")).toThrow('xs: row 0, column 1 is the string "2"; expected a finite number');
    expect(() => toMatrix([[1, 2], [3, undefined]] as never, 2, "xs")).toThrow("xs: row 1, column 1 is undefined");
    // Flat data: index 5 of width 2 is row 2, column 1.
    expect(() => toMatrix(Float64Array.from([0, 0, 0, 0, 0, -Infinity]), 2, "ys")).toThrow("ys: row 2, column 1 is -Infinity");
  });

  it("copyRows copies a block of rows", () => {
    const dst = new Float64Array(4);
    copyRows(Float64Array.from([1, 2, 3, 4, 5, 6]), 1, dst, 2, 2);
    expect(Array.from(dst)).toEqual([3, 4, 5, 6]);
  });
});
