/** Which chart packages can be found, and what a user is told to add when they cannot (lib/vega.ts). */
import { expect, test } from "bun:test";
import { ADD_CHART_PACKAGES, CHART_PACKAGES, ChartPackagesMissing, missingChartPackages } from "./vega.ts";

test("in the checkout both chart packages are found; from a folder with no node_modules, neither", () => {
  expect(missingChartPackages()).toEqual([]);
  expect(missingChartPackages("/")).toEqual([...CHART_PACKAGES]);
});

test("the error names what is missing and the line that adds it", () => {
  const error = new ChartPackagesMissing(["vega-lite"]);
  expect(error.name).toBe("ChartPackagesMissing");
  expect(error.message).toContain("(vega-lite missing)");
  expect(error.message).toEndWith(ADD_CHART_PACKAGES);
  expect(ADD_CHART_PACKAGES).toBe("bun add vega vega-lite");
});
