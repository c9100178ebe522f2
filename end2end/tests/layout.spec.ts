import { expect, test, type Page } from "./fixtures/test";
import { hydrated, users, type DemoUser } from "./fixtures/portal";

/** The labels these tests read, in each language. */
const labels = {
  en: { email: "Email", password: "Password", signIn: "Sign in", views: "Account views", heading: "Licenses and cloud services" },
  fr: { email: "Adresse e-mail", password: "Mot de passe", signIn: "Se connecter", views: "Vues du compte", heading: "Licences et services cloud" },
} as const;

async function signIn(page: Page, user: DemoUser, language: keyof typeof labels): Promise<void> {
  const l = labels[language];
  await page.goto("/sign-in");
  await hydrated(page);
  await page.getByLabel(l.email, { exact: true }).fill(user.email);
  await page.getByLabel(l.password, { exact: true }).fill("demo");
  await page.getByRole("button", { name: l.signIn }).click();
  await expect(page.getByRole("heading", { name: l.heading, level: 1 })).toBeVisible();
  await hydrated(page);
}

/** Each tab's box lies within the page's width and the strip does not scroll. */
async function expectAllTabsInView(page: Page, views: string): Promise<string[]> {
  const strip = page.getByRole("navigation", { name: views });
  const tabs = strip.getByRole("link");
  const names = (await tabs.allTextContents()).map((s) => s.trim());
  expect(names.length).toBeGreaterThanOrEqual(4);
  const width = page.viewportSize()!.width;
  for (const name of names) {
    const box = await strip.getByRole("link", { name, exact: true }).boundingBox();
    expect(box, `${name} has a box`).not.toBeNull();
    expect(box!.x, `${name} starts on the page`).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width, `${name} ends within ${width} px`).toBeLessThanOrEqual(width);
  }
  // Nothing hidden behind a scroll, nor cut short by an ellipsis.
  expect(await strip.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
  for (const name of names) {
    const link = strip.getByRole("link", { name, exact: true });
    expect(await link.evaluate((el) => el.scrollWidth <= el.clientWidth), `${name} is not cut`).toBe(true);
  }
  return names;
}

const cases: { user: DemoUser; language: keyof typeof labels }[] = [
  { user: users.accounting, language: "fr" },
  { user: users.accounting, language: "en" },
  { user: users.partner, language: "fr" },
  { user: users.customer, language: "fr" },
];

for (const width of [1280, 375]) {
  for (const { user, language } of cases) {
    test.describe(`${user.email} in ${language} at ${width} px`, () => {
      test.use({ locale: language === "fr" ? "fr-FR" : "en-US", viewport: { width, height: 800 } });

      test("every tab is visible, uncut, and opens its view", async ({ page }) => {
        await signIn(page, user, language);
        const views = labels[language].views;
        const names = await expectAllTabsInView(page, views);
        for (const name of names) {
          const tab = page.getByRole("navigation", { name: views }).getByRole("link", { name, exact: true });
          await tab.click();
          await expect(tab).toHaveAttribute("aria-current", "page");
          await expectAllTabsInView(page, views);
        }
      });
    });
  }
}

test("the New form shows no empty notice, and says where the quantities will appear", async ({ page }) => {
  await signIn(page, users.partner, "en");
  await page.getByRole("navigation", { name: "Account views" }).getByRole("link", { name: "Partner drawdowns", exact: true }).click();
  await page.getByRole("button", { name: "New", exact: true }).click();
  await expect(page.getByRole("heading", { name: "New partner drawdown request" })).toBeVisible();
  await hydrated(page);

  // Before anything is typed: no notice at all, not an empty coloured bar.
  const notices = page.locator(".notice");
  for (const notice of await notices.all()) {
    await expect(notice).not.toHaveText("");
  }
  await expect(page.getByRole("status").locator(".notice")).toHaveCount(0);
  const quantities = page.getByRole("group", { name: "Requested quantities" });
  await expect(quantities).toContainText("Choose an order: its lines appear here.");

  // A new customer's name brings the notice; choosing an order brings its lines.
  await page.getByLabel("Assign to customer account").fill("Adatum Newco");
  await expect(page.getByRole("status").locator(".notice")).toHaveText(/\S/);
  const order = page.getByLabel("Order", { exact: true });
  await order.selectOption({ index: 1 });
  await expect(quantities).not.toContainText("Choose an order");
  await expect(quantities.getByRole("spinbutton").first()).toBeVisible();
});
