import { expect, test } from "./fixtures/test";
import { SignInPage, hydrated, seriousViolations } from "./fixtures/portal";
import { apiSession, stockPartner } from "./fixtures/stock";
import { linkIn, newestEmailTo } from "./fixtures/mail";

// People of the stock partner made for these tests alone: their passwords
// change here, so no other spec signs in with them.
const stamp = process.env.PORTAL_E2E_STAMP ?? String(Date.now());
/** This run of this test: a retry invites someone new, the first invitee is taken. */
const attempt = () => `${stamp}-${test.info().retry}-${test.info().repeatEachIndex}`;

/** Invites a partner user of the stock partner through the partner admin's server function. */
async function invite(email: string): Promise<void> {
  const admin = await apiSession(stockPartner.email, stockPartner.password);
  const me = await (await admin.post("/api/signed_in_user", { data: "", headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" } })).json();
  const invited = await admin.post("/api/invite_user", {
    data: { account: me.account_id, email, display_name: "Robin Colleague", role: "partner_user" },
    headers: { accept: "application/json" },
  });
  expect(invited.status(), await invited.text()).toBe(200);
}

test("a partner admin invites a colleague, who sets a password from the emailed link and signs in without a Users tab; a forgotten password is reset from its link", async ({ page }) => {
  const email = `robin-${attempt()}@example.com`;
  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(stockPartner.email, stockPartner.password);
  await page.getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { name: "Users", level: 2 })).toBeVisible();
  await expect(page.getByRole("cell", { name: stockPartner.email })).toBeVisible();
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Role", { exact: true }).selectOption({ label: "Partner user" });
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("status")).toHaveText(`Invitation sent to ${email}.`);
  await expect(page.getByRole("row", { name: new RegExp(email) })).toContainText("Invited");
  expect(await seriousViolations(page)).toEqual([]);
  // The partner admin gives a role, and gives it back (no Users tab for a partner user, below).
  const role = page.getByLabel(`Role of ${email}`);
  await role.selectOption({ label: "Partner admin" });
  await expect(page.getByLabel(`Role of ${email}`)).toHaveValue("partner_admin");
  await page.getByLabel(`Role of ${email}`).selectOption({ label: "Partner user" });
  await expect(page.getByLabel(`Role of ${email}`)).toHaveValue("partner_user");
  // Nobody changes their own role.
  await expect(page.getByLabel(`Role of ${stockPartner.email}`)).toHaveCount(0);
  await page.getByRole("button", { name: "Sign out" }).click();
  // The sign-in page's own button: the Users tab has an Email field too.
  await expect(signIn.submit).toBeVisible();

  const invitation = await newestEmailTo(email, /invitation/i);
  expect(invitation.text).toContain("Pat Stock invites you to");

  await page.goto(linkIn(invitation.text));
  await expect(page.getByRole("heading", { name: "Set your password" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  expect(await seriousViolations(page)).toEqual([]);
  // The policy, next to the field.
  await page.getByLabel("New password", { exact: true }).fill("password1234");
  await page.getByLabel("Confirm password").fill("password1234");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByLabel("New password", { exact: true })).toHaveAccessibleDescription(
    /This password is one of the most common; choose another\./,
  );
  await page.getByLabel("New password", { exact: true }).fill("walnut ferry lamp 42");
  await page.getByLabel("Confirm password").fill("walnut ferry lamp 42");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Your password is set. Sign in with it.");

  // The link works once.
  await page.goto(linkIn(invitation.text));
  await expect(page.getByRole("alert")).toHaveText("This link was used already or has expired. Ask for a new one.");

  await signIn.open();
  await signIn.signIn(email, "walnut ferry lamp 42");
  await expect(page.getByRole("link", { name: "Your account" })).toBeVisible();
  // A partner user manages no users.
  await expect(page.getByRole("link", { name: "Entitlements" })).toBeVisible();
  await expect(page.getByRole("link", { name: "Users" })).toHaveCount(0);
  await page.getByRole("button", { name: "Sign out" }).click();
  // The sign-in page's own button: the Users tab has an Email field too.
  await expect(signIn.submit).toBeVisible();

  // Forgot your password?
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Send reset link" }).click();
  const sent = "If an account uses this address, a link to reset its password is on its way. It works once, within an hour.";
  await expect(page.getByRole("status")).toHaveText(sent);
  // An unknown address gets the very same answer.
  await page.getByLabel("Email").fill(`nobody-${stamp}@example.com`);
  await page.getByRole("button", { name: "Send reset link" }).click();
  await expect(page.getByRole("status")).toHaveText(sent);

  const reset = await newestEmailTo(email, /reset your password/i);
  await page.goto(linkIn(reset.text));
  await hydrated(page);
  await page.getByLabel("New password", { exact: true }).fill("copper kettle orchard 7");
  await page.getByLabel("Confirm password").fill("copper kettle orchard 7");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toHaveText("Your password is set. Sign in with it.");
  await signIn.open();
  await signIn.signIn(email, "walnut ferry lamp 42");
  await expect(signIn.alert).toHaveText("Wrong email or password.");
  await signIn.signIn(email, "copper kettle orchard 7");
  await expect(page.getByRole("link", { name: "Your account" })).toBeVisible();
});

test("Your account changes the password and signs out the other sessions, in French too", async ({ page, browser }) => {
  const email = `kim-${attempt()}@example.com`;
  await invite(email);
  await page.goto(linkIn((await newestEmailTo(email, /invitation/i)).text));
  await hydrated(page);
  await page.getByLabel("New password", { exact: true }).fill("walnut ferry lamp 42");
  await page.getByLabel("Confirm password").fill("walnut ferry lamp 42");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toBeVisible();

  // A second browser signed in as the same person.
  const other = await browser.newPage();
  const otherSignIn = new SignInPage(other);
  await otherSignIn.open();
  await otherSignIn.signIn(email, "walnut ferry lamp 42");
  await expect(other.getByRole("link", { name: "Your account" })).toBeVisible();

  const signIn = new SignInPage(page);
  await signIn.open();
  await signIn.signIn(email, "walnut ferry lamp 42");
  await page.getByRole("link", { name: "Your account" }).click();
  await expect(page.getByRole("heading", { name: "Your account", level: 1 })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");
  expect(await seriousViolations(page)).toEqual([]);
  await page.getByLabel("Current password").fill("not my password");
  await page.getByLabel("New password", { exact: true }).fill("copper kettle orchard 7");
  await page.getByLabel("Confirm password").fill("copper kettle orchard 7");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByLabel("Current password")).toHaveAccessibleDescription("The current password is not right.");
  await page.getByLabel("Current password").fill("walnut ferry lamp 42");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toHaveText("Your password is changed. Your other sessions are signed out.");
  // The other browser is out; this one is not.
  await other.reload();
  await expect(otherSignIn.email).toBeVisible();
  await page.reload();
  await expect(page.getByRole("heading", { name: "Your account", level: 1 })).toBeVisible();
  // A choice made before the page hydrates is lost.
  await expect(page.locator("html")).toHaveAttribute("data-hydrated", "true");

  // In French.
  await page.locator("#language-select").selectOption("fr");
  await expect(page.getByRole("heading", { name: "Votre compte", level: 1 })).toBeVisible();
  await expect(page.getByLabel("Mot de passe actuel")).toBeVisible();
  await expect(page.getByLabel("Nouveau mot de passe")).toBeVisible();
  await expect(page.getByLabel("Confirmez le mot de passe")).toBeVisible();
  await expect(page.getByRole("button", { name: "Changer le mot de passe" })).toBeVisible();
  await page.getByRole("button", { name: "Déconnecter les autres sessions" }).click();
  await expect(page.getByRole("status")).toHaveText("Toutes vos autres sessions sont déconnectées.");
  expect(await seriousViolations(page)).toEqual([]);
  await page.goto("/forgot-password");
  await expect(page.getByRole("heading", { name: "Mot de passe oublié ?" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Envoyer le lien" })).toBeVisible();
  await page.goto("/set-password?token=0000");
  await expect(page.getByRole("heading", { name: "Choisissez votre mot de passe" })).toBeVisible();
  await expect(page.getByRole("alert")).toHaveText("Ce lien a déjà servi ou a expiré. Demandez-en un nouveau.");
  await page.locator("#language-select").selectOption("en");
});
