import { buildFixture, check, synthError } from "./fixtures";

describe("the compliant fixture", () => {
  test("passes every rule", () => {
    const report = check(buildFixture());
    expect([...report.errors, ...report.warnings]).toEqual([]);
    expect(synthError(buildFixture().stack)).toBeUndefined();
  });

  test("passes every rule in a protected environment", () => {
    const report = check(buildFixture({ protected: true }));
    expect([...report.errors, ...report.warnings]).toEqual([]);
  });
});
