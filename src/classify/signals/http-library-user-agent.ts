import { pattern } from '../pattern.js';
import { requestSignal } from '../request-signal.js';

const LIBRARY = pattern(
  String.raw`^\s*(python-requests|python-urllib|aiohttp|go-http-client|curl|wget|libwww-perl|okhttp|java/|apache-httpclient|node-fetch|axios|ruby|php/)`,
);

export const httpLibraryUserAgent = requestSignal({
  id: 'http-library-user-agent',
  weight: 1,
  reason: 'the user agent is a bare HTTP library, not a browser',
  when: { field: 'user_agent', view: 'lower', matches: LIBRARY },
});
