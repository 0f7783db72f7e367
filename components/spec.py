"""Strict pydantic models of an ECS task definition: the whole RegisterTaskDefinition input.

The models mirror botocore's ECS service model shape by shape. Python attributes are snake_case;
each field's alias is exactly the botocore member name (camelCase, e.g. ``sizeInGiB``), so
``TaskDefinitionSpec.model_validate(api_dict)`` reads the AWS API shape and
``spec.model_dump(mode="json", exclude_none=True)`` yields it back. Models also accept the
snake_case names when constructed in Python.

Validation is strict: unknown keys are rejected, no coercion happens (``"512"`` is not an int,
``1`` is not a bool), enums are ``Literal`` types of exactly botocore's values, and lists of
objects (such as ``tags``) must be JSON lists. Models are frozen, but list fields are ``list``
rather than ``tuple`` because strict mode rejects a list where a tuple is declared. A field is
required only where botocore marks it required; every other field defaults to ``None``, meaning
"not sent to AWS". botocore's few length and range limits (at most 50 tags, tag keys of 1 to 128
and values of at most 256 characters, NVIDIA MPS memory and compute share) are enforced; rules
spanning several fields (unique names, references between containers and volumes, Fargate
sizes) are not.
Each field's docstring becomes its ``description``.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class AwsModel(BaseModel):
    """Base of the task-definition models: strict, frozen, aliased to botocore's member names."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        validate_default=True,
        use_attribute_docstrings=True,
        strict=True,
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
    )


# botocore's enum shapes, under their botocore names.
NetworkMode = Literal["bridge", "host", "awsvpc", "none"]
TransportProtocol = Literal["tcp", "udp"]
ApplicationProtocol = Literal["http", "http2", "grpc"]
EnvironmentFileType = Literal["s3"]
DeviceCgroupPermission = Literal["read", "write", "mknod"]
ContainerCondition = Literal["START", "COMPLETE", "SUCCESS", "HEALTHY"]
VersionConsistency = Literal["enabled", "disabled"]
UlimitName = Literal[
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
]
LogDriver = Literal[
    "json-file",
    "syslog",
    "journald",
    "gelf",
    "fluentd",
    "awslogs",
    "splunk",
    "awsfirelens",
]
ResourceType = Literal["GPU", "InferenceAccelerator", "NeuronDevice"]
FirelensConfigurationType = Literal["fluentd", "fluentbit"]
Scope = Literal["task", "shared"]
EFSTransitEncryption = Literal["ENABLED", "DISABLED"]
EFSAuthorizationConfigIAM = Literal["ENABLED", "DISABLED"]
TaskDefinitionPlacementConstraintType = Literal["memberOf"]
Compatibility = Literal["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"]
PidMode = Literal["host", "task"]
IpcMode = Literal["host", "task", "none"]
ProxyConfigurationType = Literal["APPMESH"]
CPUArchitecture = Literal["X86_64", "ARM64"]
OSFamily = Literal[
    "WINDOWS_SERVER_2019_FULL",
    "WINDOWS_SERVER_2019_CORE",
    "WINDOWS_SERVER_2016_FULL",
    "WINDOWS_SERVER_2004_CORE",
    "WINDOWS_SERVER_2022_CORE",
    "WINDOWS_SERVER_2022_FULL",
    "WINDOWS_SERVER_2025_CORE",
    "WINDOWS_SERVER_2025_FULL",
    "WINDOWS_SERVER_20H2_CORE",
    "LINUX",
]
IsolationMode = Literal["SHARED", "ISOLATED_SANDBOX", "CONFIDENTIAL_SANDBOX"]



class RepositoryCredentials(AwsModel):
    """Credentials for pulling a container image from a private registry."""

    credentials_parameter: str
    """ARN (or, in the same Region, name) of the Secrets Manager secret holding the registry
    credentials. Required.
    """


class PortMapping(AwsModel):
    """A port exposed by a container and how it maps to the host."""

    container_port: int | None = None
    """Port number on the container bound to the host port. Default: none."""

    host_port: int | None = None
    """Port on the container instance to reserve; in awsvpc or host mode omit it or repeat
    containerPort. Default: none (dynamic in bridge mode, containerPort otherwise).
    """

    protocol: TransportProtocol | None = None
    """Transport protocol of the mapping. Default: tcp."""

    name: str | None = None
    """Name of the mapping, used by Service Connect and VPC Lattice (up to 64 lowercase letters,
    digits, _ and -). Default: none.
    """

    app_protocol: ApplicationProtocol | None = None
    """Application protocol for the Service Connect proxy. Default: none (plain TCP)."""

    container_port_range: str | None = None
    """Range of container ports such as "8000-8100", bound to a dynamically mapped host port
    range. Default: none.
    """


class ContainerRestartPolicy(AwsModel):
    """A policy for restarting a container in place when it exits, without replacing the task."""

    enabled: bool
    """Whether the restart policy is enabled. Required."""

    ignored_exit_codes: list[int] | None = None
    """Up to 50 exit codes after which the container is not restarted. Default: none (no exit
    code is ignored).
    """

    restart_attempt_period: int | None = None
    """Seconds (60 to 1800) the container must run before a restart may be attempted.
    Default: 300.
    """


class KeyValuePair(AwsModel):
    """A name/value pair, used for environment variables and proxy properties."""

    name: str | None = None
    """Name of the pair; for environment variables, the variable's name. Default: none."""

    value: str | None = None
    """Value of the pair; for environment variables, the variable's value. Default: none."""


class EnvironmentFile(AwsModel):
    """An environment file in Amazon S3 whose variables are passed to a container."""

    value: str
    """ARN of the Amazon S3 object holding the environment file (with a .env extension).
    Required.
    """

    type: EnvironmentFileType
    """Type of the environment file; only s3 is supported. Required."""


class MountPoint(AwsModel):
    """A task volume mounted into a container."""

    source_volume: str | None = None
    """Name of the task volume to mount, as given in the task definition's volumes.
    Default: none.
    """

    container_path: str | None = None
    """Path in the container where the volume is mounted. Default: none."""

    read_only: bool | None = None
    """Whether the container has read-only access to the volume. Default: false."""


class VolumeFrom(AwsModel):
    """The volumes of another container in the task, mounted into this one."""

    source_container: str | None = None
    """Name of the container, in the same task definition, whose volumes are mounted.
    Default: none.
    """

    read_only: bool | None = None
    """Whether the container has read-only access to the volumes. Default: false."""


class KernelCapabilities(AwsModel):
    """Linux capabilities added to or dropped from Docker's default set."""

    add: list[str] | None = None
    """Linux capabilities to add, such as NET_ADMIN; Fargate only allows SYS_PTRACE.
    Default: none.
    """

    drop: list[str] | None = None
    """Linux capabilities to drop, such as ALL or NET_RAW. Default: none."""


class Device(AwsModel):
    """A host device exposed to a container."""

    host_path: str
    """Path of the device on the container instance. Required."""

    container_path: str | None = None
    """Path in the container at which the device is exposed. Default: none."""

    permissions: list[DeviceCgroupPermission] | None = None
    """Cgroup permissions on the device granted to the container. Default: read, write and mknod."""


class Tmpfs(AwsModel):
    """A tmpfs mount in a container."""

    container_path: str
    """Absolute path where the tmpfs volume is mounted. Required."""

    size: int
    """Maximum size of the tmpfs volume in MiB. Required."""

    mount_options: list[str] | None = None
    """tmpfs mount options, such as rw, noexec or nosuid. Default: none."""


class LinuxParameters(AwsModel):
    """Linux-specific container settings; not supported for Windows containers."""

    capabilities: KernelCapabilities | None = None
    """Linux capabilities added to or dropped from Docker's default set. Default: none (Docker's
    defaults).
    """

    devices: list[Device] | None = None
    """Host devices exposed to the container; not supported on Fargate. Default: none."""

    init_process_enabled: bool | None = None
    """Whether an init process runs in the container to forward signals and reap processes
    (docker run --init). Default: false.
    """

    shared_memory_size: int | None = None
    """Size of the /dev/shm volume in MiB; not supported on Fargate. Default: none (Docker's
    default).
    """

    tmpfs: list[Tmpfs] | None = None
    """tmpfs mounts of the container. Default: none."""

    max_swap: int | None = None
    """Swap memory in MiB the container may use, 0 for none; not supported on Fargate.
    Default: none (the instance's swap configuration).
    """

    swappiness: int | None = None
    """Memory swappiness from 0 to 100, used only together with maxSwap; not supported on
    Fargate. Default: 60.
    """


class Secret(AwsModel):
    """A Secrets Manager secret or SSM parameter exposed to a container or its log driver."""

    name: str
    """Name of the environment variable (or log option) that receives the secret. Required."""

    value_from: str
    """ARN of the Secrets Manager secret or SSM parameter; an SSM parameter name suffices in the
    same Region. Required.
    """


class ContainerDependency(AwsModel):
    """A condition another container must reach before this container starts."""

    container_name: str
    """Name of the container depended on. Required."""

    condition: ContainerCondition
    """State the container depended on must reach: START, COMPLETE, SUCCESS or HEALTHY. Required."""


class HostEntry(AwsModel):
    """An entry appended to a container's /etc/hosts."""

    hostname: str
    """Hostname of the /etc/hosts entry. Required."""

    ip_address: str
    """IP address of the /etc/hosts entry. Required."""


class Ulimit(AwsModel):
    """A resource limit (ulimit) for a container."""

    name: UlimitName
    """Resource the ulimit applies to, such as nofile. Required."""

    soft_limit: int
    """Soft limit, in bytes, seconds or a count depending on the resource. Required."""

    hard_limit: int
    """Hard limit, in bytes, seconds or a count depending on the resource. Required."""


class LogConfiguration(AwsModel):
    """The log driver and options for a container."""

    log_driver: LogDriver
    """Log driver of the container; Fargate supports awslogs, splunk and awsfirelens. Required."""

    options: dict[str, str] | None = None
    """Driver-specific options, such as awslogs-group and awslogs-region for awslogs.
    Default: none.
    """

    secret_options: list[Secret] | None = None
    """Secrets passed to the log driver as options. Default: none."""


class HealthCheck(AwsModel):
    """A container health check command and its timing."""

    command: list[str]
    """Check command, starting with CMD (run directly) or CMD-SHELL (run in the shell); exit code
    0 means healthy. Required.
    """

    interval: int | None = None
    """Seconds between checks, 5 to 300. Default: 30."""

    timeout: int | None = None
    """Seconds a check may take before it counts as failed, 2 to 60. Default: 5."""

    retries: int | None = None
    """Consecutive failed checks, 1 to 10, before the container is unhealthy. Default: 3."""

    start_period: int | None = None
    """Grace period in seconds, 0 to 300, in which failed checks don't count toward retries.
    Default: none (no grace period).
    """


class SystemControl(AwsModel):
    """A namespaced kernel parameter (sysctl) set in a container."""

    namespace: str | None = None
    """Namespaced kernel parameter (sysctl) to set, such as net.ipv4.tcp_keepalive_time.
    Default: none.
    """

    value: str | None = None
    """Value the kernel parameter is set to. Default: none."""


class NvidiaMpsAllocation(AwsModel):
    """GPU sharing through NVIDIA Multi-Process Service (MPS)."""

    memory: Annotated[int, Field(ge=1)]
    """GPU memory in MiB (at least 1) allocated to the container on one GPU. Required."""

    max_compute_percent: Annotated[int, Field(ge=1, le=100)] | None = None
    """Maximum percentage (1 to 100) of the GPU's compute capacity the container may use.
    Default: none (the MPS server's setting, normally 100).
    """


class SharingStrategy(AwsModel):
    """How a container shares a GPU with other containers (a union: set exactly one member)."""

    nvidia_mps: NvidiaMpsAllocation | None = None
    """Share the GPU through NVIDIA MPS, with a memory allocation and an optional compute cap.
    Default: none.
    """


class ResourceRequirement(AwsModel):
    """A GPU, Neuron device or inference accelerator assigned to a container."""

    value: str | None = None
    """Amount of the resource: a GPU count or ALL, ALL for NeuronDevice, or an accelerator's
    deviceName. Default: none (allowed only for GPU with sharingStrategy).
    """

    type: ResourceType
    """Kind of resource assigned to the container. Required."""

    sharing_strategy: SharingStrategy | None = None
    """How the container shares a GPU, instead of value; only for type GPU. Default: none
    (exclusive GPUs).
    """


class FirelensConfiguration(AwsModel):
    """The FireLens log-router configuration of a container."""

    type: FirelensConfigurationType
    """Log router to use. Required."""

    options: dict[str, str] | None = None
    """Log-router options: enable-ecs-log-metadata, config-file-type and config-file-value.
    Default: none.
    """


class ContainerDefinition(AwsModel):
    """One container of the task: its image, resources, environment, networking, storage and
    logging.
    """

    name: str | None = None
    """Name of the container, used by links, dependsOn and volumesFrom; up to 255 letters,
    digits, underscores and hyphens. Default: none.
    """

    image: str | None = None
    """Image to start the container from, as repository-url/image:tag or
    repository-url/image@sha256:digest. Default: none.
    """

    repository_credentials: RepositoryCredentials | None = None
    """Credentials for pulling the image from a private registry. Default: none."""

    cpu: int | None = None
    """CPU units reserved for the container (1024 per vCPU), Docker's --cpu-shares. Default: none
    (no reservation).
    """

    memory: int | None = None
    """Hard memory limit in MiB; the container is killed if it exceeds it. Default: none (no hard
    limit).
    """

    memory_reservation: int | None = None
    """Soft memory limit in MiB for the container, kept to under memory contention. Default: none
    (no reservation).
    """

    links: list[str] | None = None
    """Links to other containers, as name or name:alias; bridge network mode only, not on
    Windows. Default: none.
    """

    port_mappings: list[PortMapping] | None = None
    """Ports the container exposes and how they map to host ports. Default: none."""

    essential: bool | None = None
    """Whether all other containers of the task are stopped when this one stops or fails.
    Default: true.
    """

    restart_policy: ContainerRestartPolicy | None = None
    """Policy for restarting the container in place when it exits. Default: none (no restarts)."""

    entry_point: list[str] | None = None
    """Entry point passed to the container, overriding the image's ENTRYPOINT. Default: none (the
    image's).
    """

    command: list[str] | None = None
    """Command passed to the container, one argument per item, overriding the image's CMD.
    Default: none (the image's).
    """

    environment: list[KeyValuePair] | None = None
    """Plain-text environment variables as name/value pairs; not for sensitive data.
    Default: none.
    """

    environment_files: list[EnvironmentFile] | None = None
    """Up to ten .env files in S3 whose variables are passed to the container; environment takes
    precedence. Default: none.
    """

    mount_points: list[MountPoint] | None = None
    """Task volumes mounted into the container. Default: none."""

    volumes_from: list[VolumeFrom] | None = None
    """Other containers of the task whose volumes are mounted into this one. Default: none."""

    linux_parameters: LinuxParameters | None = None
    """Linux-specific settings such as capabilities, devices, tmpfs and swap; not for Windows.
    Default: none.
    """

    secrets: list[Secret] | None = None
    """Secrets Manager secrets or SSM parameters exposed to the container as environment
    variables. Default: none.
    """

    depends_on: list[ContainerDependency] | None = None
    """Containers that must reach a condition before this one starts (reversed at shutdown).
    Default: none.
    """

    start_timeout: int | None = None
    """Seconds to wait for the dependencies to be resolved before giving up on starting the
    container. Default: none.
    """

    stop_timeout: int | None = None
    """Seconds to wait before the container is killed if it doesn't exit on its own (at most 120
    on Fargate). Default: 30 (on EC2, the agent's ECS_CONTAINER_STOP_TIMEOUT if set).
    """

    version_consistency: VersionConsistency | None = None
    """Whether ECS resolves the image tag to a digest when deploying. Default: enabled."""

    hostname: str | None = None
    """Hostname of the container; not supported in awsvpc network mode. Default: none."""

    user: str | None = None
    """User to run as in the container: user, uid, user:group, uid:gid, user:gid or uid:group;
    not for Windows. Default: none (the image's).
    """

    working_directory: str | None = None
    """Working directory for commands run in the container. Default: none (the image's)."""

    disable_networking: bool | None = None
    """Whether networking is turned off inside the container; not for Windows. Default: false."""

    privileged: bool | None = None
    """Whether the container gets elevated, root-like privileges on the host; not on Windows or
    Fargate. Default: false.
    """

    readonly_root_filesystem: bool | None = None
    """Whether the container's root file system is read-only; not for Windows. Default: false."""

    dns_servers: list[str] | None = None
    """DNS servers presented to the container; not for Windows. Default: none."""

    dns_search_domains: list[str] | None = None
    """DNS search domains presented to the container; not for Windows. Default: none."""

    extra_hosts: list[HostEntry] | None = None
    """Entries appended to the container's /etc/hosts; not for Windows or awsvpc network mode.
    Default: none.
    """

    docker_security_options: list[str] | None = None
    """SELinux or AppArmor labels and credential-spec references (Docker's --security-opt); not
    on Fargate. Default: none.
    """

    interactive: bool | None = None
    """Whether stdin is kept open, for applications that need it (Docker's --interactive).
    Default: false.
    """

    pseudo_terminal: bool | None = None
    """Whether a TTY is allocated (Docker's --tty). Default: false."""

    docker_labels: dict[str, str] | None = None
    """Docker labels added to the container. Default: none."""

    ulimits: list[Ulimit] | None = None
    """Resource limits overriding Docker's defaults; Fargate sets nofile to 65535. Default: none."""

    log_configuration: LogConfiguration | None = None
    """Log driver and options of the container. Default: none (the Docker daemon's logging
    driver).
    """

    health_check: HealthCheck | None = None
    """Health check command and timing of the container. Default: none (no health check is
    monitored).
    """

    system_controls: list[SystemControl] | None = None
    """Namespaced kernel parameters (sysctls) set in the container. Default: none."""

    resource_requirements: list[ResourceRequirement] | None = None
    """GPUs, Neuron devices or inference accelerators assigned to the container. Default: none."""

    firelens_configuration: FirelensConfiguration | None = None
    """FireLens log-router configuration, for the container that routes the task's logs.
    Default: none.
    """

    credential_specs: list[str] | None = None
    """At most one SSM or S3 ARN of an Active Directory credential spec, prefixed credentialspec:
    or credentialspecdomainless:. Default: none.
    """


class HostVolumeProperties(AwsModel):
    """A bind-mount host volume."""

    source_path: str | None = None
    """Path on the container instance presented to the container; not supported on Fargate.
    Default: none (Docker picks a path that may not persist).
    """


class DockerVolumeConfiguration(AwsModel):
    """A Docker volume; not supported on Fargate."""

    scope: Scope | None = None
    """Lifecycle of the volume: task (removed when the task stops) or shared (persists).
    Default: none.
    """

    autoprovision: bool | None = None
    """Whether the volume is created if it doesn't exist; used only with shared scope.
    Default: none (not created).
    """

    driver: str | None = None
    """Docker volume driver, as named by docker plugin ls. Default: none (Docker's default
    driver).
    """

    driver_opts: dict[str, str] | None = None
    """Driver-specific options passed to the volume driver. Default: none."""

    labels: dict[str, str] | None = None
    """Custom metadata labels of the Docker volume. Default: none."""


class EFSAuthorizationConfig(AwsModel):
    """Access point and IAM authorization for an Amazon EFS volume."""

    access_point_id: str | None = None
    """ID of the EFS access point to mount through; requires transit encryption. Default: none."""

    iam: EFSAuthorizationConfigIAM | None = None
    """Whether the volume is mounted with the task's IAM role; requires transit encryption.
    Default: DISABLED.
    """


class EFSVolumeConfiguration(AwsModel):
    """An Amazon EFS file system used as a volume."""

    file_system_id: str
    """ID of the Amazon EFS file system. Required."""

    root_directory: str | None = None
    """Directory of the file system mounted as the volume's root; omit it or use / with an access
    point. Default: the file system's root.
    """

    transit_encryption: EFSTransitEncryption | None = None
    """Whether data in transit to EFS is encrypted; needed for IAM authorization and access
    points. Default: DISABLED.
    """

    transit_encryption_port: int | None = None
    """Port for encrypted traffic between the ECS host and EFS. Default: none (the EFS mount
    helper chooses).
    """

    authorization_config: EFSAuthorizationConfig | None = None
    """Access point and IAM authorization for the file system. Default: none."""


class S3FilesVolumeConfiguration(AwsModel):
    """An Amazon S3 Files file system used as a volume."""

    file_system_arn: str
    """Full ARN of the S3 Files file system. Required."""

    root_directory: str | None = None
    """Directory of the file system mounted as the volume's root; omit it or use / with an access
    point. Default: the file system's root.
    """

    transit_encryption_port: int | None = None
    """Port for encrypted traffic between the ECS host and the file system. Default: none (the S3
    Files mount helper chooses).
    """

    access_point_arn: str | None = None
    """Full ARN of the S3 Files access point to mount through. Default: none."""


class FSxWindowsFileServerAuthorizationConfig(AwsModel):
    """Credentials and domain for an FSx for Windows File Server volume."""

    credentials_parameter: str
    """ARN of the Secrets Manager secret or SSM parameter holding the credentials. Required."""

    domain: str
    """Fully qualified domain name of the AWS Managed Microsoft AD or self-hosted AD. Required."""


class FSxWindowsFileServerVolumeConfiguration(AwsModel):
    """An Amazon FSx for Windows File Server file system used as a volume."""

    file_system_id: str
    """ID of the FSx for Windows File Server file system. Required."""

    root_directory: str
    """Directory of the file system mounted as the root directory on the host. Required."""

    authorization_config: FSxWindowsFileServerAuthorizationConfig
    """Credentials and domain used to access the file system. Required."""


class Volume(AwsModel):
    """A data volume that the task's containers can mount; set a name and at most one volume
    type.
    """

    name: str | None = None
    """Name of the volume, referenced by a mount point's sourceVolume; required for EFS, S3 Files
    and configured-at-launch volumes. Default: none.
    """

    host: HostVolumeProperties | None = None
    """Bind-mount host volume settings. Default: none (a volume with no type set is a host
    volume).
    """

    docker_volume_configuration: DockerVolumeConfiguration | None = None
    """Docker volume settings; not supported on Fargate. Default: none."""

    efs_volume_configuration: EFSVolumeConfiguration | None = None
    """Amazon EFS file system settings. Default: none."""

    s3files_volume_configuration: S3FilesVolumeConfiguration | None = Field(
        default=None, alias="s3filesVolumeConfiguration"
    )
    """Amazon S3 Files file system settings. Default: none."""

    fsx_windows_file_server_volume_configuration: (
        FSxWindowsFileServerVolumeConfiguration | None
    ) = None
    """Amazon FSx for Windows File Server file system settings. Default: none."""

    configured_at_launch: bool | None = None
    """Whether the volume (an EBS volume) is configured when a service or task is created; at
    most one per task definition. Default: none (not configured at launch).
    """


class TaskDefinitionPlacementConstraint(AwsModel):
    """A task placement constraint; not supported on Fargate."""

    type: TaskDefinitionPlacementConstraintType | None = None
    """Type of the constraint; only memberOf is supported. Default: none."""

    expression: str | None = None
    """Cluster query language expression the container instance must match. Default: none."""


class Tag(AwsModel):
    """A key/value tag on the task definition."""

    key: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    """Tag key, 1 to 128 characters, case-sensitive; the aws: prefix is reserved. Default: none."""

    value: Annotated[str, Field(max_length=256)] | None = None
    """Tag value, up to 256 characters, case-sensitive. Default: none."""


class ProxyConfiguration(AwsModel):
    """The App Mesh proxy configuration of the task."""

    type: ProxyConfigurationType | None = None
    """Proxy type; only APPMESH is supported. Default: none."""

    container_name: str
    """Name of the container that serves as the App Mesh proxy. Required."""

    properties: list[KeyValuePair] | None = None
    """CNI plugin parameters as name/value pairs: IgnoredUID, IgnoredGID, AppPorts,
    ProxyIngressPort, ProxyEgressPort, EgressIgnoredPorts, EgressIgnoredIPs. Default: none.
    """


class InferenceAccelerator(AwsModel):
    """An Elastic Inference accelerator available to the task."""

    device_name: str
    """Name of the accelerator, referenced by a container's resourceRequirements. Required."""

    device_type: str
    """Elastic Inference accelerator type. Required."""


class EphemeralStorage(AwsModel):
    """Ephemeral storage for a Fargate task, beyond the default amount."""

    size_in_gib: int = Field(alias="sizeInGiB")
    """Total ephemeral storage of the task in GiB, 21 to 200. Required."""


class RuntimePlatform(AwsModel):
    """The operating system family and CPU architecture the task runs on."""

    cpu_architecture: CPUArchitecture | None = None
    """CPU architecture; ARM64 is available for Linux tasks. Default: none."""

    operating_system_family: OSFamily | None = None
    """Operating system family, such as LINUX or WINDOWS_SERVER_2022_CORE. Default: none."""


class TrustedExecutionConfiguration(AwsModel):
    """Trusted execution (isolation and attestation) for tasks on ECS Managed Instances."""

    isolation_mode: IsolationMode
    """How each task is isolated on the instance: SHARED, ISOLATED_SANDBOX or
    CONFIDENTIAL_SANDBOX. Required.
    """

    attestation_policy: str | None = None
    """Base64-encoded attestation policy envelope; required when isolationMode is
    CONFIDENTIAL_SANDBOX. Default: none.
    """


class TaskDefinitionSpec(AwsModel):
    """A task definition: the input of ECS RegisterTaskDefinition."""

    family: str
    """Name of the task definition family; each registration adds a revision to it. Up to 255
    letters, digits, underscores and hyphens; required.
    """

    task_role_arn: str | None = None
    """Short name or ARN of the IAM role that the task's containers can assume. Default: none (no
    task role).
    """

    execution_role_arn: str | None = None
    """ARN of the task execution role the ECS agent uses to pull images, read secrets and send
    logs. Default: none.
    """

    network_mode: NetworkMode | None = None
    """Docker networking mode of the task's containers; Fargate requires awsvpc. Default: bridge."""

    container_definitions: list[ContainerDefinition]
    """The containers that make up the task. Required."""

    volumes: list[Volume] | None = None
    """Data volumes that the task's containers can mount. Default: none."""

    placement_constraints: list[TaskDefinitionPlacementConstraint] | None = None
    """Placement constraints for the task (at most 10, counting those given at run time); not
    supported on Fargate. Default: none.
    """

    requires_compatibilities: list[Compatibility] | None = None
    """Launch types the task definition is validated against. Default: none (no launch type is
    checked).
    """

    cpu: str | None = None
    """Task-level CPU as a string, in CPU units ("1024") or vCPUs ("1 vCPU"); required on
    Fargate. Default: none.
    """

    memory: str | None = None
    """Task-level memory as a string, in MiB ("2048") or GB ("2 GB"); required on Fargate.
    Default: none.
    """

    tags: Annotated[list[Tag], Field(max_length=50)] | None = None
    """Tags on the task definition, as a list of key/value objects (at most 50). Default: none."""

    pid_mode: PidMode | None = None
    """Process namespace of the containers: host (shared with the instance) or task (shared in
    the task). Default: a private namespace per container.
    """

    ipc_mode: IpcMode | None = None
    """IPC resource namespace of the containers: host, task or none. Default: the Docker daemon's
    setting on the instance.
    """

    proxy_configuration: ProxyConfiguration | None = None
    """App Mesh proxy configuration of the task. Default: none."""

    inference_accelerators: list[InferenceAccelerator] | None = None
    """Elastic Inference accelerators available to the task's containers. Default: none."""

    ephemeral_storage: EphemeralStorage | None = None
    """Ephemeral storage for a Fargate task, beyond the default amount. Default: none (the
    Fargate default).
    """

    runtime_platform: RuntimePlatform | None = None
    """Operating system family and CPU architecture the task runs on. Default: none."""

    enable_fault_injection: bool | None = None
    """Whether the task's containers may send fault-injection requests. Default: false."""

    trusted_execution_configuration: TrustedExecutionConfiguration | None = None
    """Isolation mode and attestation policy, for tasks on ECS Managed Instances only.
    Default: none.
    """
