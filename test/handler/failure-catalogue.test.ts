/**
 * The catalogue of Glue's failures: one case per entry, a documented message in, the category
 * and a fix that names the value from the message out. The cases are written here, apart from
 * the catalogue's own examples, so a wrong pattern or fix fails them.
 */
import { CATALOGUE, Category, lookUp } from '../../core/failure-catalogue';
import { diagnose } from '../../core/reason';

const SUBNET = 'subnet-0abc1234def567890';
const VPC = 'vpc-0a1b2c3d4e5f60718';
const GROUP = 'sg-0123456789abcdef0';
const ROLE_ARN = 'arn:aws:sts::111122223333:assumed-role/OrdersStack-HandlerRole1A2B/OrdersStack-Handler';
const subject = { connectionName: 'orders-db' };

function error(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

/** [entry id, error name, message, category, words the fix must contain]. */
const CASES: [string, string, string, Category, string[]][] = [
  ['describe-vpc-endpoints-unauthorized', 'InvalidInputException',
    `DescribeVpcEndpoints action is unauthorized. unable to validate VPC ID ${VPC}`,
    'permissions', ['ec2:DescribeVpcEndpoints', VPC, "actions: ['ec2:DescribeVpcEndpoints'], resources: ['*']"]],
  ['describe-route-tables-unauthorized', 'InvalidInputException',
    `DescribeRouteTables action is unauthorized. unable to validate subnet id: ${SUBNET} in VPC id: ${VPC}`,
    'permissions', ['ec2:DescribeRouteTables', SUBNET]],
  ['ec2-describe-call-failed', 'InvalidInputException', 'Failed to call ec2:DescribeSubnets',
    'permissions', ["actions: ['ec2:DescribeSubnets']"]],
  ['explicit-deny', 'AccessDeniedException',
    `User: ${ROLE_ARN} is not authorized to perform: glue:TestConnection on resource: arn:aws:glue:eu-west-1:111122223333:connection/orders-db `
      + 'with an explicit deny in a service control policy',
    'permissions', ['glue:TestConnection', 'service control policy', 'arn:aws:glue:eu-west-1:111122223333:connection/orders-db']],
  ['pass-role-denied', 'AccessDeniedException',
    `User: ${ROLE_ARN} is not authorized to perform: iam:PassRole on resource: arn:aws:iam::111122223333:role/glue-connection-role`,
    'permissions', ['iam:PassRole', 'arn:aws:iam::111122223333:role/glue-connection-role', 'iam:PassedToService = glue.amazonaws.com']],
  ['action-not-authorized', 'AccessDeniedException',
    `User: ${ROLE_ARN} is not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-AbCdEf `
      + 'because no identity-based policy allows the secretsmanager:GetSecretValue action',
    'permissions', ['secretsmanager:GetSecretValue', 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-AbCdEf', 'role OrdersStack-HandlerRole1A2B']],
  ['eni-create-tags-denied', 'InvalidInputException', "The specified role doesn't have a permission to create a tag for your elastic network interface",
    'permissions', ['ec2:CreateTags', 'ec2:DeleteTags', 'arn:aws:ec2:*:*:network-interface/*', 'aws-glue-service-resource',
      "actions: ['ec2:CreateTags', 'ec2:DeleteTags'], resources: ['arn:aws:ec2:*:*:network-interface/*']"]],
  ['access-denied', 'AccessDeniedException', 'Access to a resource was denied.',
    'permissions', ['CloudTrail']],
  ['glue-encryption', 'GlueEncryptionException', 'Unable to decrypt the connection password with key alias/glue',
    'permissions', ['kms:Decrypt']],
  ['mysql-database-access-denied', 'InvalidInputException', "Access denied for user 'etl'@'10.0.1.17' to database 'sales'",
    'permissions', ['etl', 'sales']],
  ['sqlserver-cannot-open-database', 'InvalidInputException', 'Cannot open database "sales" requested by the login. The login failed.',
    'configuration', ['sales', 'databaseName']],
  ['s3-endpoint-or-nat-missing', 'InvalidInputException',
    `VPC S3 endpoint validation failed for SubnetId: ${SUBNET}. VPC: ${VPC}. Reason: Could not find S3 endpoint or NAT gateway for subnetId: ${SUBNET} in Vpc ${VPC}`,
    'network', [SUBNET, 'S3 gateway endpoint', 'NAT gateway']],
  ['security-group-inbound-rule', 'InvalidInputException',
    `At least one security group must open all ingress ports. To limit traffic, the source security group in your inbound rule can be restricted to the same security group. Security groups checked: ${GROUP}.`,
    'network', [GROUP, 'inbound rule', 'the group itself']],
  ['security-group-outbound-rule', 'InvalidInputException',
    `At least one security group must open all egress ports. To limit traffic, the source security group in your outbound rule can be restricted to the same security group: ${GROUP}`,
    'network', [GROUP, 'outbound rule']],
  ['subnet-az-unavailable', 'InvalidInputException', 'Could not find subnet for AZ: us-east-1e',
    'network', ['us-east-1e', 'another Availability Zone']],
  ['no-valid-connection', 'InvalidInputException', 'Unable to resolve any valid connection',
    'configuration', ['AvailabilityZone', 'connection "orders-db"']],
  ['subnet-out-of-addresses', 'InvalidInputException', `The specified subnet ${SUBNET} does not have enough free addresses to satisfy the request.`,
    'network', [SUBNET, 'free IP addresses']],
  ['subnet-out-of-addresses', 'InsufficientFreeAddressesInSubnet', 'Insufficient Free IP Addresses in subnet.',
    'network', ["the connection's subnet", 'free IP addresses']],
  ['subnet-out-of-addresses', 'InvalidInputException',
    `Unable to create network interface in ${SUBNET} (Service: AmazonEC2; Status Code: 400; Error Code: InsufficientFreeAddressesInSubnet)`,
    'network', [SUBNET, 'AvailableIpAddressCount']],
  ['no-private-dns', 'InvalidInputException', 'No private DNS for network interface found',
    'DNS', ['enableDnsHostnames']],
  ['server-without-ssl', 'InvalidInputException', 'The server does not support SSL.',
    'TLS', ['JDBC_ENFORCE_SSL']],
  ['pg-hba-requires-ssl', 'InvalidInputException', 'FATAL: no pg_hba.conf entry for host "10.0.1.17", user "etl", database "sales", no encryption',
    'TLS', ['JDBC_ENFORCE_SSL', 'etl', 'sales', '10.0.1.17']],
  ['certificate-hostname-mismatch', 'InvalidInputException', 'No subject alternative DNS name matching db.sales.internal found.',
    'TLS', ['db.sales.internal', 'JDBC_CONNECTION_URL']],
  ['certificate-untrusted', 'InvalidInputException',
    'SSL error: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target',
    'TLS', ['CUSTOM_JDBC_CERT']],
  ['sqlserver-ssl-failed', 'InvalidInputException',
    'The driver could not establish a secure connection to SQL Server by using Secure Sockets Layer (SSL) encryption. Error: "Connection reset".',
    'TLS', ['CUSTOM_JDBC_CERT']],
  ['tls-handshake-failed', 'InvalidInputException', 'javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version',
    'TLS', ['JDBC_ENFORCE_SSL']],
  ['unknown-host', 'InvalidInputException', 'java.net.UnknownHostException: db.sales.internal: Name or service not known',
    'DNS', ['db.sales.internal', 'DNS support']],
  ['postgres-connection-refused', 'InvalidInputException',
    'Connection to db.sales.internal:5433 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.',
    'network', ['db.sales.internal:5433']],
  ['sqlserver-tcp-failed', 'InvalidInputException',
    'The TCP/IP connection to the host db.sales.internal, port 1433 has failed. Error: "connect timed out. Verify the connection properties."',
    'network', ['db.sales.internal:1433', 'port 1433']],
  ['oracle-network-adapter', 'InvalidInputException', 'IO Error: The Network Adapter could not establish the connection',
    'network', ['Oracle listener']],
  ['link-failure', 'InvalidInputException', 'Communications link failure\n\nThe last packet sent successfully to the server was 0 milliseconds ago.',
    'network', ['security group']],
  ['connect-failed', 'InvalidInputException', 'Unable to connect to db.sales.internal:5432: Connection refused.',
    'network', ['db.sales.internal:5432', 'NAT gateway']],
  ['postgres-unknown-database', 'InvalidInputException', 'FATAL: database "sales" does not exist',
    'configuration', ['sales', 'JDBC_CONNECTION_URL']],
  ['mysql-unknown-database', 'InvalidInputException', "Unknown database 'sales'",
    'configuration', ['sales']],
  ['oracle-unknown-service', 'InvalidInputException', 'ORA-12505, TNS:listener does not currently know of SID given in connect descriptor',
    'configuration', ['SID']],
  ['driver-class-not-found', 'InvalidInputException', 'java.lang.ClassNotFoundException: com.example.jdbc.Driver',
    'configuration', ['com.example.jdbc.Driver', 'JDBC_DRIVER_CLASS_NAME', 'JDBC_DRIVER_JAR_URI']],
  ['no-suitable-driver', 'InvalidInputException', 'No suitable driver found for jdbc:postgres://db.sales.internal:5432/sales?ssl=true',
    'configuration', ['jdbc:postgres://db.sales.internal:5432/sales', 'jdbc:postgresql:']],
  ['pg-hba-no-entry', 'InvalidInputException', 'FATAL: no pg_hba.conf entry for host "10.0.1.17", user "etl", database "sales", SSL encryption',
    'configuration', ['pg_hba.conf', 'etl', '10.0.1.17']],
  ['postgres-password-failed', 'InvalidInputException', 'FATAL: password authentication failed for user "etl"',
    'credentials', ['etl', 'PASSWORD', 'SECRET_ID']],
  ['mysql-access-denied', 'InvalidInputException', "Access denied for user 'etl'@'10.0.1.17' (using password: YES)",
    'credentials', ['etl', '10.0.1.17']],
  ['sqlserver-login-failed', 'InvalidInputException', "Login failed for user 'etl'.",
    'credentials', ['etl']],
  ['oracle-invalid-login', 'InvalidInputException', 'ORA-01017: invalid username/password; logon denied',
    'credentials', ['user name or password']],
  ['oracle-account-locked', 'InvalidInputException', 'ORA-28000: the account is locked',
    'credentials', ['ACCOUNT UNLOCK']],
  ['salesforce-invalid-grant', 'InvalidInputException', 'OAuth token request failed: {"error":"invalid_grant","error_description":"expired access/refresh token"}',
    'credentials', ['RefreshToken']],
  ['salesforce-invalid-client', 'InvalidInputException', 'OAuth token request failed: {"error":"invalid_client_id","error_description":"client identifier invalid"}',
    'credentials', ['UserManagedClientApplicationClientId']],
  ['salesforce-unsupported-grant-type', 'InvalidInputException', '{"error":"unsupported_grant_type","error_description":"grant type not supported"}',
    'configuration', ['OAuth2GrantType']],
  ['entity-not-found', 'EntityNotFoundException', 'Connection with name orders-db is not found',
    'configuration', ['connection "orders-db"']],
  ['federation-source', 'FederationSourceException', 'The federated source rejected the request',
    'configuration', ['federated source']],
  ['operation-timeout', 'OperationTimeoutException', 'Test connection timed out',
    'timeout', ['security groups']],
  ['resource-limit', 'ResourceNumberLimitExceededException', 'Maximum number of concurrent test connections reached',
    'Glue service', ['quota']],
  ['conflict', 'ConflictException', 'Another test connection is in progress for orders-db',
    'Glue service', ['in progress']],
  ['glue-unavailable', 'ThrottlingException', 'Rate exceeded',
    'Glue service', ['deploy again']],
];

describe('each catalogue entry', () => {
  test.each(CASES)('%s: %s is %s with a fix that names the values', (id, name, message, category, words) => {
    const diagnosis = diagnose(error(name, message), subject);

    expect(diagnosis.entry).toBe(id);
    expect(diagnosis.category).toBe(category);
    for (const word of words) expect(diagnosis.fix).toContain(word);
  });

  test('has a case here', () => {
    expect(CATALOGUE.map((e) => e.id).sort()).toEqual([...new Set(CASES.map(([id]) => id))].sort());
  });

  test('has a unique id', () => {
    expect(new Set(CATALOGUE.map((e) => e.id)).size).toBe(CATALOGUE.length);
  });

  test.each(CATALOGUE.map((e) => [e.id, e] as const))('%s: its README example is one it matches', (id, entry) => {
    const name = entry.names?.[0] ?? 'InvalidInputException';
    expect(lookUp(name, entry.example)?.entry.id).toBe(id);
  });
});

describe('the misfiles the issue lists', () => {
  test.each([
    ['DescribeVpcEndpoints action is unauthorized. unable to validate VPC ID vpc-0a1b2c3d4e5f60718', 'permissions'],
    ['Failed to call ec2:DescribeSubnets', 'permissions'],
    ['User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ec2:CreateTags on resource: arn:aws:ec2:eu-west-1:1:network-interface/*', 'permissions'],
    ['Could not find subnet for AZ: eu-west-1c', 'network'],
    ['The specified subnet does not have enough free addresses to satisfy the request.', 'network'],
    ["The specified role doesn't have a permission to create a tag for your elastic network interface.", 'permissions'],
    ['Insufficient Free IP Addresses in subnet.', 'network'],
    ['java.lang.ClassNotFoundException: com.mysql.cj.jdbc.Driver', 'configuration'],
    ['FATAL: database "orders" does not exist', 'configuration'],
    ['PKIX path building failed: unable to find valid certification path to requested target', 'TLS'],
    ['{"error":"invalid_grant","error_description":"authentication failure"}', 'credentials'],
  ])('%s is %s', (message, category) => {
    expect(diagnose(error('InvalidInputException', message), subject).category).toBe(category);
  });

  test('a missing outbound rule is fixed with an outbound rule, not an inbound one', () => {
    const { fix } = diagnose(error('InvalidInputException', `At least one security group must open all egress ports. ${GROUP}`), subject);
    expect(fix).toContain('outbound rule');
    expect(fix).not.toContain('inbound');
  });

  test('a missing ec2:CreateTags names the action and the one line that adds it', () => {
    const { fix } = diagnose(error('AccessDeniedException',
      'User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ec2:CreateTags on resource: arn:aws:ec2:eu-west-1:1:network-interface/*'), subject);
    expect(fix).toContain("test.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ec2:CreateTags'], resources: ['arn:aws:ec2:eu-west-1:1:network-interface/*'] }))");
  });

  test('an OAuth invalid_grant is not told to check a user name and password', () => {
    const { fix } = diagnose(error('InvalidInputException', '{"error":"invalid_grant","error_description":"expired access/refresh token"}'), subject);
    expect(fix).not.toMatch(/user name and password/);
  });

  test('Glue\'s own wrapping of an AccessDenied inside an InvalidInputException is a permission problem', () => {
    const diagnosis = diagnose(error('InvalidInputException', 'Unable to retrieve connection orders-db: User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: '
      + 'glue:GetConnection on resource: * (Service: AmazonDataCatalog; Status Code: 400; Error Code: AccessDeniedException)'), subject);
    expect(diagnosis).toMatchObject({ category: 'permissions', entry: 'action-not-authorized' });
    expect(diagnosis.fix).toContain("actions: ['glue:GetConnection']");
  });
});

describe('no permission message is categorized as credentials', () => {
  const permissionMessages = [
    ...CATALOGUE.filter((e) => e.category === 'permissions').map((e) => e.example),
    'DescribeRouteTables action is unauthorized. unable to validate subnet id: subnet-1 in VPC id: vpc-1',
    'Unauthorized: ec2:DescribeSecurityGroups action is unauthorized',
    'AccessDenied: User is not authorized to perform: kms:Decrypt',
    'Access denied: not authorized to perform: lakeformation:GetDataAccess',
    'User: arn:aws:iam::1:user/u is not authorized to perform: glue:TestConnection with an explicit deny in an identity-based policy',
  ];
  test.each(permissionMessages)('%s', (message) => {
    for (const name of ['InvalidInputException', 'AccessDeniedException', 'ValidationException']) {
      expect(diagnose(error(name, message), subject).category).not.toBe('credentials');
    }
  });
});

describe('a message the catalogue does not know', () => {
  test('is "unexpected", with an honest fix', () => {
    const diagnosis = diagnose(error('InvalidInputException', 'JDBC_ENGINE_VERSION 3 is not supported for engine postgres'), subject);

    expect(diagnosis).toEqual({
      category: 'unexpected',
      fix: "this library's catalogue of Glue failures does not know this message, so it has no specific advice: act on Glue's message above "
        + "(the test handler's log has it whole), then deploy again.",
    });
  });

  test('an error name only a name entry knows gets that entry whatever its message', () => {
    expect(diagnose(error('ConflictException', 'anything at all'), subject).entry).toBe('conflict');
  });

  test('a catalogue pattern does not take a name entry\'s place for another error name', () => {
    expect(diagnose(error('SomethingNewException', 'Rate exceeded'), subject).category).toBe('unexpected');
  });
});
