import type { RequestSignal } from '../signal.js';

const LIBRARY =
  /^(python-requests|python-urllib|aiohttp|go-http-client|curl|wget|libwww-perl|okhttp|java\/|apache-httpclient|node-fetch|axios|ruby|php\/)/i;

export const httpLibraryUserAgent: RequestSignal = {
  id: 'http-library-user-agent',
  stage: 'request',
  weight: 1,
  reason: 'the user agent is a bare HTTP library, not a browser',
  applies: (e) => e.user_agent !== null && LIBRARY.test(e.user_agent.trim()),
};
