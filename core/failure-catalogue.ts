/**
 * The catalogue of the failures Glue's TestConnection reports: for each, the pattern of its
 * message, its category and what to change, with the values (IAM action, subnet, security
 * group, Availability Zone, database, driver class, JDBC property) taken from the message.
 *
 * The wordings are AWS's and the drivers' own, from public sources named in a comment above
 * each entry. Glue wraps most of them in an InvalidInputException whose message carries the
 * driver's text, so entries match the message whatever the error's name, unless they say
 * otherwise (`names`).
 *
 * Order matters: the first entry that matches wins, so a specific entry comes before a general
 * one, and every permission entry comes before every credential entry: "DescribeVpcEndpoints
 * action is unauthorized" is about IAM, not about a password. README.md's troubleshooting
 * table is generated from this list (`npm run readme:troubleshooting`), and a test keeps the
 * two the same.
 *
 * This module imports nothing: the handler's bundle inlines it, and the README script reads it.
 */

export type Category =
  | 'credentials' | 'network' | 'DNS' | 'permissions' | 'TLS' | 'configuration' | 'Glue service' | 'timeout' | 'unexpected';

/** What a fix may mention besides the message: the test's subject. */
export interface FixContext {
  /** `connection "name"`, or `the connection` for a TestConnectionInput test. */
  readonly connection: string;
  /** `catalog 111122223333`, or `this account's catalog`. */
  readonly catalog: string;
}

export interface CatalogueEntry {
  /** A stable identifier: the README's anchor and the tests' key. */
  readonly id: string;
  readonly category: Category;
  /** Error names (`e.name`) the entry applies to; any name when absent. */
  readonly names?: readonly string[];
  /** Matched against the error's message; any message when absent (then `names` is given). */
  readonly pattern?: RegExp;
  /** One message as its source words it, for the README (values are examples). */
  readonly example: string;
  /** What to change, from the match's groups. One sentence, no trailing full stop. */
  readonly fix: (match: RegExpExecArray, context: FixContext) => string;
}

/** `or` for a fix: the value from the message when it has one, else the generic words. */
const or = (value: string | undefined, fallback: string): string => (value ? value : fallback);

/** The one line that grants actions to the test handler's role, as a user adds it to the test (it is IGrantable). */
export const grantLine = (actions: string | readonly string[], resource = '*'): string =>
  `test.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [${[actions].flat().map((a) => `'${a}'`).join(', ')}], resources: ['${resource}'] }))`;

export const CATALOGUE: readonly CatalogueEntry[] = [
  // ---------------------------------------------------------------- permissions (before credentials)

  // Source: AWS Glue Developer Guide, "Troubleshooting Glue common setup errors"
  // (docs.aws.amazon.com/glue/latest/dg/glue-troubleshooting-errors.html, awsdocs/aws-glue-developer-guide
  // doc_source/glue-troubleshooting-errors.md): "Error: DescribeVpcEndpoints action is unauthorized. unable
  // to validate VPC ID vpc-id" - "Check the policy passed to AWS Glue for the ec2:DescribeVpcEndpoints permission."
  {
    id: 'describe-vpc-endpoints-unauthorized',
    category: 'permissions',
    pattern: /DescribeVpcEndpoints action is unauthorized\.?\s*unable to validate VPC ID:?\s*(vpc-[0-9a-z]+)?/i,
    example: 'DescribeVpcEndpoints action is unauthorized. unable to validate VPC ID vpc-0a1b2c3d4e5f60718',
    fix: (m) => `Glue checks VPC ${or(m[1], "of the connection")} with the caller's permissions: allow ec2:DescribeVpcEndpoints to the test handler's role, `
      + `e.g. ${grantLine('ec2:DescribeVpcEndpoints')} (EC2's Describe actions take no resource)`,
  },
  // Source: as above, "Error: DescribeRouteTables action is unauthorized. unable to validate subnet id:
  // Subnet-id in VPC id: vpc-id" - "Check the policy passed to AWS Glue for the ec2:DescribeRouteTables permission."
  {
    id: 'describe-route-tables-unauthorized',
    category: 'permissions',
    pattern: /DescribeRouteTables action is unauthorized\.?\s*unable to validate subnet id:?\s*(subnet-[0-9a-z]+)?(?:\s*in VPC id:?\s*(vpc-[0-9a-z]+))?/i,
    example: 'DescribeRouteTables action is unauthorized. unable to validate subnet id: subnet-0abc1234def567890 in VPC id: vpc-0a1b2c3d4e5f60718',
    fix: (m) => `Glue checks the routes of ${or(m[1], "the connection's subnet")} with the caller's permissions: allow ec2:DescribeRouteTables to the test handler's role, `
      + `e.g. ${grantLine('ec2:DescribeRouteTables')}`,
  },
  // Source: as above, "Error: Failed to call ec2:DescribeSubnets" - "Check the policy passed to AWS Glue
  // for the ec2:DescribeSubnets permission." The same page documents ec2:DescribeSecurityGroups.
  {
    id: 'ec2-describe-call-failed',
    category: 'permissions',
    pattern: /Failed to call (ec2:Describe[A-Za-z]+)/,
    example: 'Failed to call ec2:DescribeSubnets',
    fix: (m) => `Glue validates the connection's VPC with the caller's permissions: allow ${m[1]} to the test handler's role, e.g. ${grantLine(m[1])}`,
  },
  // Source: Glue's wording when it may not tag the network interface it creates in the connection's subnet:
  // "The specified role doesn't have a permission to create a tag for your elastic network interface" (the
  // wording issue #18 quotes; the same sentence is reported for Glue jobs in a VPC). The grant that prevents it is
  // the AWS Glue Developer Guide's, "Step 1: Create an IAM policy for the AWS Glue service"
  // (docs.aws.amazon.com/glue/latest/dg/create-service-policy.html): "ec2:CreateTags", "ec2:DeleteTags" on
  // "arn:aws:ec2:*:*:network-interface/*" with the condition "ForAllValues:StringEquals": { "aws:TagKeys":
  // ["aws-glue-service-resource"] }. Before the generic permission entries: it names no action.
  {
    id: 'eni-create-tags-denied',
    category: 'permissions',
    pattern: /(?:role|user)?\s*(?:doesn't|does not) have (?:a )?permission to create a tag for (?:your|the) elastic network interface/i,
    example: "The specified role doesn't have a permission to create a tag for your elastic network interface",
    fix: () => 'Glue tags the network interface it creates in the connection\'s subnet (tag key aws-glue-service-resource): allow ec2:CreateTags '
      + 'and ec2:DeleteTags on arn:aws:ec2:*:*:network-interface/* with the condition ForAllValues:StringEquals aws:TagKeys = '
      + 'aws-glue-service-resource (as Glue\'s service policy does) to the role the test runs with, e.g. '
      + grantLine(['ec2:CreateTags', 'ec2:DeleteTags'], 'arn:aws:ec2:*:*:network-interface/*')
      + ", and to the connection's ROLE_ARN if it names one",
  },
  // Source: IAM User Guide, "Troubleshoot access denied error messages": "... is not authorized to perform:
  // iam:GetGroup on resource: ... with an explicit deny in a service control policy". An explicit deny wins
  // over every allow, so adding a statement cannot help.
  {
    id: 'explicit-deny',
    category: 'permissions',
    pattern: /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)(?:\s+on resource:?\s*([^\s(]+?))?\s+(?:with|because of) an explicit deny(?: in (an? [A-Za-z -]+?policy))?/i,
    example: 'User: arn:aws:sts::111122223333:assumed-role/OrdersStack-HandlerRole/fn is not authorized to perform: glue:TestConnection '
      + 'on resource: arn:aws:glue:eu-west-1:111122223333:connection/orders-db with an explicit deny in a service control policy',
    fix: (m) => `an explicit deny of ${m[1]}${m[2] ? ` on ${m[2]}` : ''} in ${or(m[3], 'a policy')} overrides every allow: `
      + 'change that policy (adding an allow statement cannot help)',
  },
  // Source: Glue's documented dependent action of TestConnection (Service Authorization Reference, "Actions,
  // resources, and condition keys for AWS Glue": iam:PassRole) and the IAM wording of AccessDenied below.
  {
    id: 'pass-role-denied',
    category: 'permissions',
    pattern: /not authorized to perform:?\s*iam:PassRole(?:\s+on resource:?\s*(arn:[^\s(]+?))?(?=[\s.(]|$)/i,
    example: 'User: arn:aws:sts::111122223333:assumed-role/OrdersStack-HandlerRole/fn is not authorized to perform: iam:PassRole '
      + 'on resource: arn:aws:iam::111122223333:role/glue-connection-role',
    fix: (m) => `TestConnection passes the connection's ROLE_ARN to Glue: allow iam:PassRole on ${or(m[1], 'that role')} with the condition `
      + `iam:PassedToService = glue.amazonaws.com (the construct grants it when ROLE_ARN is a literal or a token of this app)`,
  },
  // Source: IAM User Guide, "Troubleshoot access denied error messages": "User: arn:aws:iam::123456789012:user/
  // MaryMajor is not authorized to perform: code-artifact:ListRepositories because no identity-based policy
  // allows the code-artifact:ListRepositories action"; Glue's own form, quoted in hashicorp/terraform-provider-aws
  // (aws/resource_aws_glue_crawler.go): "InvalidInputException: Unable to retrieve connection tf-acc-test: User:
  // arn:aws:sts::*******:assumed-role/tf-acc-test/AWS-Crawler is not authorized to perform: glue:GetConnection
  // on resource: * (Service: AmazonDataCatalog; Status Code: 400; Error Code: AccessDeniedException ...)".
  // EC2 answers a CreateTags on a network interface the same way ("... ec2:CreateTags on resource:
  // arn:aws:ec2:...:network-interface/*").
  {
    id: 'action-not-authorized',
    category: 'permissions',
    pattern: /(?:User:?\s*(arn:[^\s]+)\s+)?is not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9*]+)(?:\s+on resource:?\s*([^\s(]+?))?(?=[\s.(;]|$)/i,
    example: 'User: arn:aws:sts::111122223333:assumed-role/OrdersStack-HandlerRole/fn is not authorized to perform: secretsmanager:GetSecretValue '
      + 'on resource: arn:aws:secretsmanager:eu-west-1:111122223333:secret:orders-db-AbCdEf because no identity-based policy allows the secretsmanager:GetSecretValue action',
    fix: (m) => {
      const role = /:assumed-role\/([^/]+)\//.exec(m[1] ?? '')?.[1];
      const resource = m[3] && m[3] !== '*' ? m[3] : '*';
      return `allow ${m[2]}${resource !== '*' ? ` on ${resource}` : ''} to ${role ? `role ${role}` : 'the caller'}; for the test handler's role: `
        + grantLine(m[2], resource);
    },
  },
  // Source: Glue API reference, "TestConnection", Errors: AccessDeniedException "Access to a resource was denied."
  // A denial that names no action: CloudTrail names it.
  {
    id: 'access-denied',
    category: 'permissions',
    names: ['AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation'],
    example: 'Access to a resource was denied.',
    fix: () => "the message names no action: find the denied call in CloudTrail (errorCode AccessDenied) and allow it to the test handler's role "
      + 'through the test (it is IGrantable: test.grantPrincipal), or grant Lake Formation permissions on the catalog',
  },
  // Source: Glue API reference, "TestConnection", Errors: GlueEncryptionException "An encryption operation failed."
  {
    id: 'glue-encryption',
    category: 'permissions',
    names: ['GlueEncryptionException'],
    example: 'An encryption operation failed.',
    fix: () => "let the test handler's role use the KMS key of the catalog's connection passwords (kms:Decrypt), in the key policy and with "
      + `${grantLine('kms:Decrypt', 'KEY-ARN')}`,
  },
  // Source: MySQL Server error reference, ER_DBACCESS_DENIED_ERROR (1044): "Access denied for user '%s'@'%s' to
  // database '%s'" - the login worked, the grant is missing.
  {
    id: 'mysql-database-access-denied',
    category: 'permissions',
    pattern: /Access denied for user '([^']*)'@'([^']*)' to database '([^']*)'/,
    example: "Access denied for user 'app'@'10.0.1.17' to database 'orders'",
    fix: (m) => `database user ${m[1]} logs in but may not use database ${m[3]}: GRANT it the privileges it needs on ${m[3]}.* (in MySQL)`,
  },
  // Source: SQL Server error 4060: 'Cannot open database "%.*ls" requested by the login. The login failed.'
  {
    id: 'sqlserver-cannot-open-database',
    category: 'configuration',
    pattern: /Cannot open database "([^"]+)" requested by the login/,
    example: 'Cannot open database "orders" requested by the login. The login failed.',
    fix: (m) => `database ${m[1]} does not exist or the login has no user in it: correct the database in JDBC_CONNECTION_URL (databaseName=...) or create a user for the login in ${m[1]}`,
  },

  // Source: Glue API reference, "TestConnection", Errors: OperationTimeoutException "The operation timed out."
  // Before the network entries: Glue's own time-out is told apart by its name, whatever its message says.
  {
    id: 'operation-timeout',
    category: 'timeout',
    names: ['OperationTimeoutException'],
    example: 'The operation timed out.',
    fix: () => "Glue's test did not finish in time, most often because the data store does not answer: check that the connection's security groups, "
      + 'route table and network ACL let traffic reach it, then deploy again',
  },
  // ---------------------------------------------------------------- network: Glue's VPC checks

  // Source: Glue troubleshooting page, "Error: Could not find S3 endpoint or NAT gateway for subnetId in VPC";
  // Glue's full wording, as its console shows it: "VPC S3 endpoint validation failed for SubnetId: subnet-... .
  // VPC: vpc-... . Reason: Could not find S3 endpoint or NAT gateway for subnetId: subnet-... in Vpc vpc-...".
  {
    id: 's3-endpoint-or-nat-missing',
    category: 'network',
    pattern: /(?:VPC S3 endpoint validation failed for SubnetId:?\s*(subnet-[0-9a-z]+))|(?:Could not find S3 endpoint or NAT gateway for subnetId:?\s*(subnet-[0-9a-z]+)?(?:\s*in Vpc\s*(vpc-[0-9a-z]+))?)/i,
    example: 'VPC S3 endpoint validation failed for SubnetId: subnet-0abc1234def567890. VPC: vpc-0a1b2c3d4e5f60718. Reason: Could not find S3 endpoint '
      + 'or NAT gateway for subnetId: subnet-0abc1234def567890 in Vpc vpc-0a1b2c3d4e5f60718',
    fix: (m) => `add an S3 gateway endpoint to the route table of ${or(m[1] ?? m[2], "the connection's subnet")}, or a route 0.0.0.0/0 to a NAT gateway`,
  },
  // Source: Glue troubleshooting page, "Error: Inbound rule in security group required": "At least one security
  // group must open all ingress ports. To limit traffic, the source security group in your inbound rule can be
  // restricted to the same security group."
  {
    id: 'security-group-inbound-rule',
    category: 'network',
    pattern: /At least one security group must open all ingress ports/i,
    example: 'At least one security group must open all ingress ports. To limit traffic, the source security group in your inbound rule can be '
      + 'restricted to the same security group.',
    fix: (m) => `add to ${groupsOf(m.input)} an inbound rule for all TCP ports (0-65535) whose source is the group itself`,
  },
  // Source: Glue troubleshooting page, "Error: Outbound rule in security group required": "At least one security
  // group must open all egress ports. To limit traffic, the source security group in your outbound rule can be
  // restricted to the same security group."
  {
    id: 'security-group-outbound-rule',
    category: 'network',
    pattern: /At least one security group must open all egress ports/i,
    example: 'At least one security group must open all egress ports. To limit traffic, the source security group in your outbound rule can be '
      + 'restricted to the same security group.',
    fix: (m) => `add to ${groupsOf(m.input)} an outbound rule for all TCP ports (0-65535) whose destination is the group itself (or 0.0.0.0/0)`,
  },
  // Source: Glue troubleshooting page, "Error: Could not find subnet for AZ" - "The Availability Zone might not be
  // available to AWS Glue. Create and use a new subnet in a different Availability Zone from the one specified in
  // the message."
  {
    id: 'subnet-az-unavailable',
    category: 'network',
    pattern: /Could not find subnet for AZ:?\s*([a-z]{2}(?:-[a-z]+)+-\d[a-z]|[a-z]{3,4}\d-az\d+)?/i,
    example: 'Could not find subnet for AZ: us-east-1e',
    fix: (m) => `Glue cannot use Availability Zone ${or(m[1], 'of the connection')}: create a subnet in another Availability Zone and set the connection's `
      + 'SubnetId and AvailabilityZone to it',
  },
  // Source: aws/aws-cdk#32959: a CfnConnection whose PhysicalConnectionRequirements has no AvailabilityZone fails
  // Test Connection with "InvalidInputException: Unable to resolve any valid connection".
  {
    id: 'no-valid-connection',
    category: 'configuration',
    pattern: /Unable to resolve any valid connection/i,
    example: 'Unable to resolve any valid connection',
    fix: (_, c) => `set PhysicalConnectionRequirements.AvailabilityZone of ${c.connection} to the Availability Zone of its subnet (Glue needs it, though the API marks it optional)`,
  },
  // Source: Amazon EC2 API Reference, "Error codes for the Amazon EC2 API"
  // (docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html): InsufficientFreeAddressesInSubnet,
  // "The specified subnet does not contain enough free private IP addresses to fulfill your request. Use the
  // DescribeSubnets request to view how many IP addresses are available (unused) in your subnet." EC2 answers
  // with that code and the message "Insufficient Free IP Addresses in subnet." (as quoted in AWS error output, e.g.
  // "An error occurred (InsufficientFreeAddressesInSubnet) when calling the ... operation: Insufficient Free IP
  // Addresses in subnet."); CreateNetworkInterface's own wording is "The specified subnet does not have enough free
  // addresses to satisfy the request." Glue creates a network interface in the connection's subnet for the test
  // (AWS Glue Developer Guide, "Setting up network access to data stores": "Each elastic network interface is
  // assigned a private IP address from the IP address range within the subnet you specified").
  {
    id: 'subnet-out-of-addresses',
    category: 'network',
    pattern: /does not (?:have|contain) enough free (?:private )?(?:IP )?addresses|Insufficient Free IP Addresses in subnet|InsufficientFreeAddressesInSubnet/i,
    example: 'Insufficient Free IP Addresses in subnet.',
    fix: (m) => `free IP addresses in ${or(/subnet-[0-9a-z]+/i.exec(m.input)?.[0], "the connection's subnet")} (delete unused network interfaces; `
      + 'DescribeSubnets shows AvailableIpAddressCount) or move the connection to a subnet with more free addresses',
  },
  // Source: Glue troubleshooting page, "Error: No private DNS for network interface found" - "If you are using
  // the Amazon provided DNS, the value of enableDnsHostnames must be set to true."
  {
    id: 'no-private-dns',
    category: 'DNS',
    pattern: /No private DNS for network interface found/i,
    example: 'No private DNS for network interface found',
    fix: () => "turn on enableDnsHostnames (and enableDnsSupport) on the connection's VPC",
  },

  // ---------------------------------------------------------------- TLS

  // Source: pgjdbc, org/postgresql/core/v3/ConnectionFactoryImpl.java: "The server does not support SSL."
  {
    id: 'server-without-ssl',
    category: 'TLS',
    pattern: /The server does not support SSL/i,
    example: 'The server does not support SSL.',
    fix: (_, c) => `the driver asks for SSL and the database does not offer it: turn on SSL on the database, or set JDBC_ENFORCE_SSL of ${c.connection} to false`,
  },
  // Source: PostgreSQL server, src/backend/libpq/auth.c: 'no pg_hba.conf entry for host "%s", user "%s",
  // database "%s", no encryption' - the server admits this user only over SSL (a hostssl line).
  {
    id: 'pg-hba-requires-ssl',
    category: 'TLS',
    pattern: /no pg_hba\.conf entry for host "([^"]+)", user "([^"]+)", database "([^"]+)", (?:no encryption|SSL off)/i,
    example: 'FATAL: no pg_hba.conf entry for host "10.0.1.17", user "app", database "orders", no encryption',
    fix: (m, c) => `the database admits user ${m[2]} to ${m[3]} only over SSL: set JDBC_ENFORCE_SSL of ${c.connection} to true `
      + `(and CUSTOM_JDBC_CERT to the S3 path of its CA certificate), or add a pg_hba.conf line for host ${m[1]}`,
  },
  // Source: JDK sun.security.util.HostnameChecker: "No subject alternative DNS name matching %s found." - with
  // JDBC_ENFORCE_SSL Glue enforces "SSL with hostname matching" (Glue API, ConnectionPropertyKey).
  {
    id: 'certificate-hostname-mismatch',
    category: 'TLS',
    pattern: /No subject alternative (?:DNS name|names) matching (?:IP address )?(\S+?) found/i,
    example: 'No subject alternative DNS name matching orders.internal found.',
    fix: (m, c) => `the database's certificate is not issued for ${m[1]}: use in JDBC_CONNECTION_URL of ${c.connection} the host name the certificate names `
      + '(JDBC_ENFORCE_SSL checks it), or have a certificate issued for that name',
  },
  // Source: JDK PKIX validation (sun.security.validator): "PKIX path building failed:
  // sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to
  // requested target"; Glue connection properties: "CUSTOM_JDBC_CERT - An Amazon S3 location specifying the
  // customer's root certificate."
  {
    id: 'certificate-untrusted',
    category: 'TLS',
    pattern: /PKIX path (?:building|validation) failed|unable to find valid certification path|certificate_unknown|self[- ]signed certificate/i,
    example: 'PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target',
    fix: (_, c) => `the driver does not trust the database's certificate: set CUSTOM_JDBC_CERT of ${c.connection} to the S3 path of the CA certificate `
      + '(for RDS, the region\'s certificate bundle) and let Glue read it',
  },
  // Source: Microsoft JDBC Driver for SQL Server, SQLServerException: 'The driver could not establish a secure
  // connection to SQL Server by using Secure Sockets Layer (SSL) encryption. Error: "..."'.
  {
    id: 'sqlserver-ssl-failed',
    category: 'TLS',
    pattern: /could not establish a secure connection to SQL Server by using Secure Sockets Layer \(SSL\) encryption/i,
    example: 'The driver could not establish a secure connection to SQL Server by using Secure Sockets Layer (SSL) encryption. Error: "Connection reset".',
    fix: (_, c) => `the TLS handshake with SQL Server failed: check that the server's certificate and TLS version are current, and set CUSTOM_JDBC_CERT of ${c.connection} to its CA certificate`,
  },
  // Source: JDK javax.net.ssl.SSLHandshakeException (e.g. "Received fatal alert: handshake_failure").
  {
    id: 'tls-handshake-failed',
    category: 'TLS',
    pattern: /SSLHandshakeException|SSLException|handshake_failure|protocol_version/,
    example: 'javax.net.ssl.SSLHandshakeException: Received fatal alert: handshake_failure',
    fix: (_, c) => `the TLS handshake with the database failed: check the server's TLS versions and certificate, and JDBC_ENFORCE_SSL / CUSTOM_JDBC_CERT of ${c.connection}`,
  },

  // ---------------------------------------------------------------- DNS and reachability

  // Source: JDK java.net.UnknownHostException; pgjdbc and the other drivers pass it on with the host name.
  {
    id: 'unknown-host',
    category: 'DNS',
    pattern: /UnknownHostException:?\s*([^\s:,]+)?|(?:Name or service not known|nodename nor servname provided)/,
    example: 'java.net.UnknownHostException: orders.internal: Name or service not known',
    fix: (m, c) => `${m[1] ? `host name ${m[1]}` : 'the host name'} does not resolve from the connection's subnet: correct the host in JDBC_CONNECTION_URL of ${c.connection}, `
      + "or, for a private name, turn on DNS support and DNS host names on the connection's VPC",
  },
  // Source: pgjdbc, ConnectionFactoryImpl.java: "Connection to {0} refused. Check that the hostname and port are
  // correct and that the postmaster is accepting TCP/IP connections."
  {
    id: 'postgres-connection-refused',
    category: 'network',
    pattern: /Connection to (\S+?) refused\. Check that the hostname and port are correct/,
    example: 'Connection to orders.internal:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.',
    fix: (m) => `nothing accepts connections at ${m[1]}: check the host and port in JDBC_CONNECTION_URL and that the database listens on them`,
  },
  // Source: Microsoft JDBC Driver for SQL Server: "The TCP/IP connection to the host %s, port %d has failed.
  // Error: ... Verify the connection properties. Make sure that an instance of SQL Server is running on the host
  // and accepting TCP/IP connections at the port. Make sure that TCP connections to the port are not blocked by a firewall."
  {
    id: 'sqlserver-tcp-failed',
    category: 'network',
    pattern: /The TCP\/IP connection to the host ([^,\s]+), port (\d+) has failed/,
    example: 'The TCP/IP connection to the host orders.internal, port 1433 has failed. Error: "connect timed out. Verify the connection properties."',
    fix: (m) => `Glue could not reach ${m[1]}:${m[2]}: let the database's security group admit the connection's security group on port ${m[2]}, `
      + 'and check the route from the connection\'s subnet and its network ACL',
  },
  // Source: Oracle JDBC: "IO Error: The Network Adapter could not establish the connection".
  {
    id: 'oracle-network-adapter',
    category: 'network',
    pattern: /The Network Adapter could not establish the connection/i,
    example: 'IO Error: The Network Adapter could not establish the connection',
    fix: () => "Glue could not reach the Oracle listener: check host and port in JDBC_CONNECTION_URL, and that the database's security group admits the connection's security group on that port",
  },
  // Source: MySQL Connector/J, CommunicationsException: "Communications link failure ... The driver has not
  // received any packets from the server."; Redshift JDBC: "[Amazon](500150) Error setting/closing connection".
  {
    id: 'link-failure',
    category: 'network',
    pattern: /Communications link failure|\(500150\) Error setting\/closing connection/i,
    example: 'Communications link failure. The last packet sent successfully to the server was 0 milliseconds ago. The driver has not received any packets from the server.',
    fix: () => "Glue got no answer from the database: let its security group admit the connection's security group on the database port, and check the "
      + "route and network ACL of the connection's subnet",
  },
  // Source: JDK java.net.SocketTimeoutException "connect timed out" / java.net.ConnectException "Connection
  // refused" / "No route to host"; knowledge-center article "glue-test-connection-failed": without a NAT gateway
  // route for a data store outside the VPC, "the connection times out".
  {
    id: 'connect-failed',
    category: 'network',
    pattern: /Unable to connect to (\S+?):? |connect timed out|Connection timed out|Connection refused|No route to host|Network is unreachable|The connection attempt failed/i,
    example: 'java.net.SocketTimeoutException: connect timed out',
    fix: (m) => `Glue could not open a TCP connection to ${or(m[1], 'the data store')}: let the data store's security group admit the connection's security group on its port; `
      + "for a data store outside the VPC, give the connection's subnet a route to a NAT gateway",
  },

  // ---------------------------------------------------------------- configuration: database and driver

  // Source: PostgreSQL server, src/backend/utils/init/postinit.c: 'database "%s" does not exist' (Redshift words it the same).
  {
    id: 'postgres-unknown-database',
    category: 'configuration',
    pattern: /database "([^"]+)" does not exist/,
    example: 'FATAL: database "orders" does not exist',
    fix: (m, c) => `database ${m[1]} does not exist on the server: correct the database name in JDBC_CONNECTION_URL of ${c.connection}, or create it`,
  },
  // Source: MySQL Server error reference, ER_BAD_DB_ERROR (1049): "Unknown database '%s'".
  {
    id: 'mysql-unknown-database',
    category: 'configuration',
    pattern: /Unknown database '([^']+)'/,
    example: "Unknown database 'orders'",
    fix: (m, c) => `database ${m[1]} does not exist on the server: correct the database name in JDBC_CONNECTION_URL of ${c.connection}, or create it`,
  },
  // Source: Oracle error reference: "ORA-12505: TNS:listener does not currently know of SID given in connect
  // descriptor" and "ORA-12514: TNS:listener does not currently know of service requested in connect descriptor".
  {
    id: 'oracle-unknown-service',
    category: 'configuration',
    pattern: /ORA-(12505|12514)/,
    example: 'ORA-12514, TNS:listener does not currently know of service requested in connect descriptor',
    fix: (m, c) => `the Oracle listener knows no such ${m[1] === '12505' ? 'SID' : 'service name'}: correct it in JDBC_CONNECTION_URL of ${c.connection}`,
  },
  // Source: JDK java.lang.ClassNotFoundException (the class name is the message); Glue connection properties:
  // "JDBC_DRIVER_CLASS_NAME - The class name of the JDBC driver to use", "JDBC_DRIVER_JAR_URI - The Amazon S3
  // path of the JAR file that contains the JDBC driver to use."
  {
    id: 'driver-class-not-found',
    category: 'configuration',
    pattern: /ClassNotFoundException:?\s*([\w.$]+)?/,
    example: 'java.lang.ClassNotFoundException: org.mariadb.jdbc.Driver',
    fix: (m, c) => `driver class ${or(m[1], 'JDBC_DRIVER_CLASS_NAME')} is not in the JAR that JDBC_DRIVER_JAR_URI names: correct JDBC_DRIVER_CLASS_NAME or JDBC_DRIVER_JAR_URI of ${c.connection}`,
  },
  // Source: JDK java.sql.DriverManager: "No suitable driver found for " + url.
  {
    id: 'no-suitable-driver',
    category: 'configuration',
    pattern: /No suitable driver(?: found for (\S+))?/,
    example: 'No suitable driver found for jdbc:postgres://orders.internal:5432/orders',
    fix: (m, c) => `no driver accepts ${m[1] ? `URL ${m[1].split('?')[0]}` : 'the URL'}: check the jdbc:<engine>: prefix of JDBC_CONNECTION_URL of ${c.connection} `
      + '(e.g. jdbc:postgresql:), or set JDBC_DRIVER_JAR_URI and JDBC_DRIVER_CLASS_NAME',
  },

  // Source: PostgreSQL server, auth.c: 'no pg_hba.conf entry for host "%s", user "%s", database "%s"'.
  {
    id: 'pg-hba-no-entry',
    category: 'configuration',
    pattern: /no pg_hba\.conf entry for host "([^"]+)", user "([^"]+)", database "([^"]+)"/i,
    example: 'FATAL: no pg_hba.conf entry for host "10.0.1.17", user "app", database "orders", SSL encryption',
    fix: (m) => `the database does not admit user ${m[2]} to ${m[3]} from ${m[1]}: add a pg_hba.conf line for the connection's subnet (or, on RDS, check the parameter group)`,
  },

  // ---------------------------------------------------------------- credentials (after every permission entry)

  // Source: PostgreSQL server, src/backend/libpq/auth.c: 'password authentication failed for user "%s"'
  // (Redshift words it the same).
  {
    id: 'postgres-password-failed',
    category: 'credentials',
    pattern: /password authentication failed for user "([^"]*)"/,
    example: 'FATAL: password authentication failed for user "app"',
    fix: (m, c) => `the password of database user ${m[1]} is wrong: correct PASSWORD of ${c.connection}, or the secret its SECRET_ID names`,
  },
  // Source: MySQL Server error reference, ER_ACCESS_DENIED_ERROR (1045): "Access denied for user '%s'@'%s'
  // (using password: %s)".
  {
    id: 'mysql-access-denied',
    category: 'credentials',
    pattern: /Access denied for user '([^']*)'@'([^']*)'/,
    example: "Access denied for user 'app'@'10.0.1.17' (using password: YES)",
    fix: (m, c) => `MySQL refused user ${m[1]} from ${m[2]}: correct the user name or password of ${c.connection} (or its secret), or let ${m[1]} connect from the connection's subnet`,
  },
  // Source: SQL Server error 18456: "Login failed for user '%.*ls'.%.*ls%.*ls".
  {
    id: 'sqlserver-login-failed',
    category: 'credentials',
    pattern: /Login failed for user '([^']*)'/,
    example: "Login failed for user 'app'. ClientConnectionId:6f1e1d4a-2b3c-4d5e-8f90-a1b2c3d4e5f6",
    fix: (m, c) => `SQL Server refused login ${m[1]}: correct the user name or password of ${c.connection} (or its secret)`,
  },
  // Source: Oracle error reference: "ORA-01017: invalid username/password; logon denied".
  {
    id: 'oracle-invalid-login',
    category: 'credentials',
    pattern: /ORA-01017/,
    example: 'ORA-01017: invalid username/password; logon denied',
    fix: (_, c) => `Oracle refused the user name or password: correct them in ${c.connection} (or its secret)`,
  },
  // Source: Oracle error reference: "ORA-28000: the account is locked" (ORA-28001: the password has expired).
  {
    id: 'oracle-account-locked',
    category: 'credentials',
    pattern: /ORA-(28000|28001)/,
    example: 'ORA-28000: the account is locked',
    fix: (m) => `the Oracle account ${m[1] === '28000' ? 'is locked: unlock it (ALTER USER ... ACCOUNT UNLOCK)' : 'password has expired: set a new one and update the secret'}`,
  },
  // Source: Salesforce OAuth 2.0 token endpoint errors: {"error":"invalid_grant","error_description":"expired
  // access/refresh token"}, "authentication failure", "user hasn't approved this consumer".
  {
    id: 'salesforce-invalid-grant',
    category: 'credentials',
    pattern: /invalid_grant(?:\W+(?:error_description\W+)?(expired access\/refresh token|authentication failure|user hasn't approved this consumer|inactive user|ip restricted[^"]*))?/i,
    example: '{"error":"invalid_grant","error_description":"expired access/refresh token"}',
    fix: (m) => {
      switch ((m[1] ?? '').toLowerCase()) {
        case 'expired access/refresh token':
          return 'Salesforce no longer accepts the refresh token: authorize the connected app again and store the new RefreshToken (or AuthorizationCode) in the secret';
        case "user hasn't approved this consumer":
          return 'the Salesforce user has not approved the connected app: pre-authorize it for the user (JWT bearer flow) or authorize it once';
        default:
          return "Salesforce refused the OAuth grant (invalid_grant): check the grant's token, the user it acts for and the connected app's IP and user policies";
      }
    },
  },
  // Source: Salesforce OAuth 2.0 token endpoint errors: invalid_client_id "client identifier invalid",
  // invalid_client "invalid client credentials".
  {
    id: 'salesforce-invalid-client',
    category: 'credentials',
    pattern: /invalid_client(_id)?\b/i,
    example: '{"error":"invalid_client_id","error_description":"client identifier invalid"}',
    fix: (m) => (m[1]
      ? 'Salesforce does not know the client id: set UserManagedClientApplicationClientId to the consumer key of the connected app'
      : 'Salesforce refused the client secret: store the connected app\'s consumer secret as UserManagedClientApplicationClientSecret'),
  },
  // Source: Salesforce OAuth 2.0 token endpoint errors: unsupported_grant_type "grant type not supported".
  {
    id: 'salesforce-unsupported-grant-type',
    category: 'configuration',
    pattern: /unsupported_grant_type/i,
    example: '{"error":"unsupported_grant_type","error_description":"grant type not supported"}',
    fix: () => 'Salesforce does not accept this OAuth2GrantType for the connected app: use AUTHORIZATION_CODE, CLIENT_CREDENTIALS or JWT_BEARER as the app allows',
  },

  // ---------------------------------------------------------------- errors told apart by their name

  // Source: Glue API reference, "TestConnection", Errors: EntityNotFoundException "A specified entity does not exist".
  {
    id: 'entity-not-found',
    category: 'configuration',
    names: ['EntityNotFoundException'],
    example: 'Connection with name orders-db is not found',
    fix: (_, c) => `check that ${c.connection} exists in ${c.catalog} in this region, and that the test depends on it (use the connection prop for one defined in this app)`,
  },
  // Source: Glue API reference, "TestConnection", Errors: FederationSourceException.
  {
    id: 'federation-source',
    category: 'configuration',
    names: ['FederationSourceException'],
    example: 'A federation source failed.',
    fix: () => "check the federated source's settings and that it is reachable and accepts Glue's requests",
  },
  // Source: Glue API reference, "TestConnection", Errors: ResourceNumberLimitExceededException.
  {
    id: 'resource-limit',
    category: 'Glue service',
    names: ['ResourceNumberLimitExceededException'],
    example: 'A resource numerical limit was exceeded.',
    fix: () => 'a Glue quota is reached: remove unused resources or ask for a quota increase, then deploy again',
  },
  // Source: Glue API reference, "TestConnection", Errors: ConflictException.
  {
    id: 'conflict',
    category: 'Glue service',
    names: ['ConflictException'],
    example: 'The CreatePartitions API was called on a table that has indexes enabled.',
    fix: () => 'another operation on the connection was in progress: deploy again once it has finished',
  },
  // Source: Glue API reference, Common Errors: ThrottlingException, ServiceUnavailable; TestConnection:
  // InternalServiceException "An internal service error occurred."
  {
    id: 'glue-unavailable',
    category: 'Glue service',
    names: ['InternalServiceException', 'ThrottlingException', 'ServiceUnavailableException', 'ServiceUnavailable', 'InternalFailure'],
    example: 'An internal service error occurred.',
    fix: () => 'Glue failed or throttled even after retries: deploy again; if it persists, check the AWS Health Dashboard',
  },
];

/** The security groups a message names, for a fix; the connection's when it names none. */
function groupsOf(message: string): string {
  const groups = [...new Set(message.match(/sg-[0-9a-z]+/gi) ?? [])];
  return groups.length > 0 ? `security group ${groups.join(' or ')}` : "one of the connection's security groups";
}

/** The first entry that matches, with its match; undefined when none does. */
export function lookUp(name: string, message: string): { entry: CatalogueEntry; match: RegExpExecArray } | undefined {
  for (const entry of CATALOGUE) {
    if (entry.names && !entry.names.includes(name)) continue;
    const match = entry.pattern ? entry.pattern.exec(message) : Object.assign([message], { index: 0, input: message }) as RegExpExecArray;
    if (match) return { entry, match };
  }
  return undefined;
}
