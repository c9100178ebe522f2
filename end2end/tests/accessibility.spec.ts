import { expect, test } from "./fixtures/test";
import { SignInPage, seriousViolations, signInAs, users } from "./fixtures/portal";

test("the sign-in page has no serious or critical accessibility violation", async ({ page }) => {
  await new SignInPage(page).open();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the sign-in page with its error message has none either", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(users.partner.email, "wrong");
  await expect(signIn.alert).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the Entitlements page has no serious or critical accessibility violation", async ({ page }) => {
  const area = await signInAs(page, users.partner);
  await expect(area.held("Bot Creator")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await area.accountSelect.selectOption({ label: "Fabrikam Logistics" });
  await expect(page.getByText("This account holds no entitlements yet.")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the Entitlements page fits a phone screen", async ({ page }) => {
  await page.setViewportSize({ width: 375, height: 740 });
  const area = await signInAs(page, users.partner);
  await expect(area.held("Bot Creator")).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
