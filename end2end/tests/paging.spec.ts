import { expect, test, type Page } from "./fixtures/test";
import { SignInPage, LicensesArea, openTab, signInAs, users } from "./fixtures/portal";
import { apiSession, customerHolding, stockPartner } from "./fixtures/stock";

// More requests than one page holds (50), all of one run's customer prefix,
// so the search narrows the live lists to them alone.
const stamp = process.env.PORTAL_E2E_STAMP ?? String(Date.now());
const prefix = `Paging ${stamp}`;
const total = 57;

// One worker for both tests: they share the requests made once below.
test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  const partner = await apiSession(stockPartner.email, stockPartner.password);
  const post = async (endpoint: string, data: unknown) => {
    const response = await partner.post(`/api/${endpoint}`, { data });
    expect(response.ok(), `${endpoint}: ${await response.text()}`).toBeTruthy();
    return response.json();
  };
  const { accounts } = (await post("list_accounts", {})) as { accounts: { id: number }[] };
  const form = (await post("new_drawdown_form", { account: accounts[0].id, clone: null })) as {
    orders: { id: number; number: string; lines: { availability: { line: number; product_name: string } }[] }[];
  };
  const order = form.orders.find((o) => o.number === stockPartner.order)!;
  const line = order.lines.find((l) => l.availability.product_name === "IQ Bot pages")!.availability.line;
  for (let i = 1; i <= total; i++) {
    const n = String(i).padStart(3, "0");
    await post("save_drawdown", {
      order: order.id,
      form: {
        customer_account: `${prefix} ${n}`,
        customer_website: `https://paging-${stamp}-${n}.example`,
        customer_name: "Robin Test",
        customer_email: `robin@paging-${stamp}-${n}.example`,
        quantities: [[line, "1"]],
      },
      cloned_from: null,
    });
  }
  await partner.dispose();
});

/** Presses Tab until the Load more button has the focus (never past 80 stops). */
async function tabToLoadMore(page: Page): Promise<void> {
  const loadMore = page.getByRole("button", { name: "Load more" });
  // Approvals has a checkbox and a link per row: 101 stops before Load more.
  for (let i = 0; i < 200; i++) {
    if (await loadMore.evaluate((b) => b === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error("Load more is not reachable with the keyboard");
}

/** Checks a narrowed list pages from 50 to all its requests with the keyboard. */
async function pagesThrough(page: Page, search: string): Promise<void> {
  await page.getByLabel("Search by customer").fill(search);
  const links = page.getByRole("table").getByRole("rowheader").getByRole("link");
  await expect(links).toHaveCount(50);
  await expect(page.getByRole("status").filter({ hasText: "requests shown" })).toHaveText("50 requests shown");
  await page.getByLabel("Search by customer").focus();
  await tabToLoadMore(page);
  await page.keyboard.press("Enter");
  await expect(links).toHaveCount(total);
  await expect(page.getByRole("status").filter({ hasText: "requests shown" })).toHaveText(`${total} requests shown`);
  // Nothing more to load, and the focus is on the first row that came in.
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
  await expect(links.nth(50)).toBeFocused();
  const numbers = await links.allTextContents();
  expect(new Set(numbers).size, "each request once").toBe(total);
}

test("a partner pages through its drawdown requests with the keyboard", async ({ page }) => {
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(stockPartner.email, stockPartner.password);
  await expect(new LicensesArea(page).heading).toBeVisible();
  await openTab(page, "Partner drawdowns");
  await pagesThrough(page, prefix);
  // Newest first: the last saved leads, the first saved ends the list.
  const customers = page.getByRole("table").getByRole("row").locator("td:nth-child(3)");
  await expect(customers.first()).toHaveText(`${prefix} ${String(total).padStart(3, "0")}`);
  await expect(customers.last()).toHaveText(`${prefix} 001`);
});

test("accounting pages through the approvals queue with the keyboard", async ({ page }) => {
  await signInAs(page, users.accounting);
  await openTab(page, "Approvals");
  await pagesThrough(page, prefix.toUpperCase());
  // Oldest first.
  const customers = page.getByRole("table").getByRole("row").locator("td:nth-child(4)");
  await expect(customers.first()).toHaveText(`${prefix} 001`);
});

test("a partner pages through an account's license files with the keyboard, current ones first", async ({ page }) => {
  // 51 files issued through the API first.
  test.setTimeout(90_000);
  const name = `Paging files ${stamp}`;
  // A revoked file holds its unit until its lease ends: 51 files need 51.
  const account = await customerHolding(name, { "Attended Bot Runner": 51 });
  const partner = await apiSession(stockPartner.email, stockPartner.password);
  const post = async (endpoint: string, data: unknown) => {
    const response = await partner.post(`/api/${endpoint}`, { data });
    expect(response.ok(), `${endpoint}: ${await response.text()}`).toBeTruthy();
    return response.json();
  };
  const tab = (await post("file_licenses", { account: Number(account), rows: 50 })) as { entitlements: { id: number }[] };
  const entitlement = tab.entitlements[0].id;
  // 50 files issued and revoked, then the current one: 51 in all.
  for (let i = 0; i <= 50; i++) {
    const file = (await post("configure_license_file", {
      account: Number(account),
      form: { host_name: `cr-${i}`, host_id: `host-${i}`, quantities: [[entitlement, "1"]] },
      replaces: null,
    })) as number;
    if (i < 50) await post("revoke_license_file", { account: Number(account), file });
  }
  await partner.dispose();

  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(stockPartner.email, stockPartner.password);
  await expect(new LicensesArea(page).heading).toBeVisible();
  await page.goto(`/licenses/${account}/file-licenses`);
  await page.locator('#file-licenses-tab[data-hydrated="true"]').waitFor();
  const files = page.getByRole("table", { name: "License files" });
  const rows = files.getByRole("rowheader");
  await expect(rows).toHaveCount(50);
  await expect(files.getByRole("row").nth(1)).toContainText("cr-50");
  await expect(files.getByRole("row").nth(1)).toContainText("Active");
  await expect(page.getByRole("status").filter({ hasText: "license files shown" })).toHaveText("50 license files shown");
  await page.getByRole("button", { name: "Configure a license file" }).focus();
  await tabToLoadMore(page);
  await page.keyboard.press("Enter");
  await expect(rows).toHaveCount(51);
  await expect(page.getByRole("status").filter({ hasText: "license files shown" })).toHaveText("51 license files shown");
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);
  await expect(rows.nth(50)).toBeFocused();
  await expect(files.getByRole("row").last()).toContainText("cr-0");
  await expect(files.getByRole("row").last()).toContainText("Revoked");
});
