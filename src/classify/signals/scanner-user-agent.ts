import { pattern } from '../pattern.js';
import { requestSignal } from '../request-signal.js';

const SCANNER = pattern(
  '(sqlmap|nikto|nuclei|zgrab|masscan|wpscan|dirbuster|gobuster|feroxbuster|ffuf|acunetix|nessus|openvas|netsparker|w3af|whatweb|nmap|jaeles|zmeu|morfeus|censys|l9explore|l9tcpid)',
);

export const scannerUserAgent = requestSignal({
  id: 'scanner-user-agent',
  weight: 3,
  reason: 'the user agent names a vulnerability scanner',
  when: { field: 'user_agent', view: 'lower', matches: SCANNER },
});
