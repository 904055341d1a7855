/** A user, organization or bot account of the fake. */
export type AccountType = "User" | "Organization" | "Bot";

export interface AccountRecord {
  id: number;
  login: string;
  type: AccountType;
  name: string | null;
  email: string | null;
  createdAt: number;
}
