import { useSyncExternalStore } from 'react';

// The bearer token lives in memory and in sessionStorage: it survives a reload of this tab, but
// not the tab itself, and other tabs never see it. It is never put in a cookie or localStorage.
const STORAGE_KEY = 'authapi.token';

function readStored(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: keep the token in memory only
  }
}

let token: string | null = readStored();
const listeners = new Set<() => void>();

export function getToken(): string | null {
  return token;
}

export function setToken(next: string | null): void {
  token = next;
  try {
    if (next) sessionStorage.setItem(STORAGE_KEY, next);
    else sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    // memory only
  }
  listeners.forEach((listener) => listener());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Re-renders the caller whenever the token changes (sign in, sign out, a rejected token). */
export function useToken(): string | null {
  return useSyncExternalStore(subscribe, getToken);
}
